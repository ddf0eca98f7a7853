import type { Role } from '@/types/api';

/**
 * The permission table of shared/auth/permissions.py, for showing each role only what it may use (the
 * server enforces every rule anyway). `permissions.test.ts` reads the Python table and fails when the two
 * differ. PENDING rows belong to APIs specified in open issues and not yet in that table.
 */
export const PERMISSIONS = {
  self: ['super-admin', 'analyst', 'enumerator', 'finance'],
  'users.manage': ['super-admin'],
  'audit.read': ['super-admin'],
  'questionnaires.read': ['super-admin', 'analyst', 'enumerator'],
  'questionnaires.write': ['super-admin'],
  'assessments.submit': ['super-admin', 'analyst', 'enumerator'],
  'assessments.read': ['super-admin', 'analyst', 'enumerator'],
  'respondents.read': ['super-admin', 'analyst', 'enumerator'],
  'respondents.invite': ['super-admin', 'enumerator'],
  'reports.read': ['super-admin', 'analyst'],
  'exports.create': ['super-admin', 'analyst'],
  'costs.read': ['super-admin', 'finance'],
  'costs.export': ['super-admin', 'finance'],
  // The live dashboard: enumerators see their own figures.
  'dashboard.read': ['super-admin', 'analyst', 'enumerator'],
  'outbox.manage': ['super-admin'],
} as const satisfies Record<string, readonly Role[]>;

/** From the contracts of open issues (none pending now). */
export const PENDING_PERMISSIONS = {} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS | keyof typeof PENDING_PERMISSIONS;

const TABLE: Record<Permission, readonly Role[]> = { ...PERMISSIONS, ...PENDING_PERMISSIONS };

export function can(role: Role | undefined, permission: Permission): boolean {
  if (!role) return false;
  return role === 'super-admin' || TABLE[permission].includes(role);
}
