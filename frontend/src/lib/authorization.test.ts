import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { can, PERMISSIONS } from './authorization';

/** The permission table of shared/auth/permissions.py, read from its source. */
function pythonTable(): Record<string, string[]> {
  const source = readFileSync(resolve(__dirname, '../../../shared/auth/permissions.py'), 'utf8');
  const roles = Object.fromEntries([...source.matchAll(/^\s+([A-Z_]+) = "([a-z-]+)"$/gm)].map((m) => [m[1], m[2]]));
  const block = source.slice(source.indexOf('PERMISSIONS'), source.indexOf('\n}\n'));
  const table: Record<string, string[]> = {};
  for (const [, name, value] of block.matchAll(/"([a-z.]+)": (ALL_ROLES|frozenset\(\{[^}]*\}\))/g)) {
    const members = value === 'ALL_ROLES' ? Object.keys(roles) : [...value!.matchAll(/Role\.([A-Z_]+)/g)].map((m) => m[1]!);
    table[name!] = members.map((m) => roles[m]!).sort();
  }
  return table;
}

describe('the permission table', () => {
  it('is the one of shared/auth/permissions.py', () => {
    const python = pythonTable();
    expect(Object.keys(python).length).toBeGreaterThan(5);
    const ours = Object.fromEntries(Object.entries(PERMISSIONS).map(([k, v]) => [k, [...v].sort()]));
    expect(ours).toEqual(python);
  });

  it('lets super-admins do everything and others only their rows', () => {
    expect(can('super-admin', 'costs.read')).toBe(true);
    expect(can('finance', 'costs.read')).toBe(true);
    expect(can('finance', 'users.manage')).toBe(false);
    expect(can('analyst', 'costs.read')).toBe(false);
    expect(can('enumerator', 'assessments.submit')).toBe(true);
    expect(can(undefined, 'self')).toBe(false);
  });
});
