/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const gateway = `http://127.0.0.1:${process.env.PORT ?? '8000'}`;

/**
 * Emits /sw.js from src/sw/service-worker.js with the build's files listed for precaching, so the app shell
 * (index.html and every hashed asset) works offline. The cache name carries a hash of that list: a new
 * build gets a new cache and the old one is dropped when the new worker activates.
 */
function serviceWorker(): Plugin {
  return {
    name: 'skills-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle)
        .filter((name) => !name.endsWith('.map'))
        .map((name) => `/${name}`);
      const shell = ['/', '/config.json', '/favicon.svg', '/manifest.webmanifest', ...files];
      let hash = 0;
      for (const ch of shell.join('|')) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
      const source = readFileSync(new URL('./src/sw/service-worker.js', import.meta.url), 'utf8')
        .replace('/* the build\'s files */ []', JSON.stringify(shell))
        .replace('__VERSION__', hash.toString(36));
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

export default defineConfig({
  plugins: [react(), tailwindcss(), serviceWorker()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    proxy: {
      '/api': { target: gateway, ws: true },
      '/config.json': gateway,
      '/docs': gateway,
    },
  },
  build: { sourcemap: false, chunkSizeWarningLimit: 600 },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/testing/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // Typing through user-event is slow on a busy two-core machine.
    testTimeout: 20_000,
  },
});
