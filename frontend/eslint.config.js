// Lint rules; the import zones keep the layout one-way (bulletproof-react): app -> features -> shared
// modules (components, config, hooks, lib, types, utils), and no feature imports another.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const features = [
  'assessments', 'audit', 'auth', 'costs', 'dashboard', 'exports', 'fieldwork', 'questionnaires',
  'reports', 'respondents', 'simulator', 'users',
];

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'src/types/api.gen.ts', 'e2e/output'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks, 'jsx-a11y': jsxA11y, 'import-x': importX },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...jsxA11y.flatConfigs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
      // Focus goes to the one field of a single-purpose step (the sign-in code after the password), where
      // a person expects to type at once.
      'jsx-a11y/no-autofocus': ['error', { ignoreNonDOM: true }],
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...features.map((f) => ({
              target: `./src/features/${f}`,
              from: './src/features',
              except: [`./${f}`],
            })),
            { target: './src/features', from: './src/app' },
            {
              target: ['./src/api', './src/components', './src/config', './src/hooks', './src/lib', './src/types', './src/utils'],
              from: ['./src/features', './src/app'],
            },
          ],
        },
      ],
    },
    settings: { 'import-x/resolver': { typescript: true, node: true } },
  },
  {
    files: ['src/sw/**/*.js'],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
  {
    // Node scripts; the callbacks they hand to page.evaluate run in the browser.
    files: ['e2e/**/*.{ts,mjs}', 'scripts/**/*.{js,mjs}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: { 'no-console': 'off' },
  },
);
