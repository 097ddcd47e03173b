/**
 * Roles and what each may do. Authorization is a pair of named predicates over an
 * authenticated `Actor`, kept apart from queries: routes ask `can(actor, 'audit:read')`
 * and, before reading a subject's data, `canReadForPurpose(actor, purpose)`.
 */
import type { Actor } from './actor.js';

/** `site`: the company's own web servers, which send their request logs (`POST /v1/logs`) and nothing else. */
export const roles = ['admin', 'privacy-officer', 'support', 'auditor', 'site'] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'accounts:read',
  'accounts:update',
  'subjects:read-data',
  'subjects:read-choices',
  'social:import',
  'retention:run',
  'keys:manage',
  'audit:read',
  'policy:read-admin',
  'policy:publish',
  'consent:read',
  'consent:record',
  'disclosures:make',
  'disclosures:read',
  'ropa:read',
  'stats:release',
  'requests:read',
  'requests:manage',
  'outbox:read',
  'erasure:run',
  'holds:manage',
  'webhooks:manage',
  'reports:manage',
  'transfers:read',
  'logs:write',
  'breaches:read',
  'breaches:manage',
] as const;
export type Permission = (typeof permissions)[number];

export const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: permissions,
  'privacy-officer': permissions.filter((permission) => permission !== 'keys:manage'),
  support: [
    'accounts:read',
    'accounts:update',
    'subjects:read-data',
    'subjects:read-choices',
    'consent:read',
    'consent:record',
    'disclosures:read',
    'requests:read',
  ],
  auditor: [
    'audit:read',
    'subjects:read-choices',
    'policy:read-admin',
    'consent:read',
    'disclosures:read',
    'ropa:read',
    'requests:read',
    'transfers:read',
    'breaches:read',
  ],
  site: ['logs:write'],
};

/** Roles whose keys, when issued with no purposes, may read for any declared purpose. */
const unscopedRoles: Record<Role, boolean> = {
  admin: true,
  'privacy-officer': true,
  support: false,
  auditor: false,
  site: false,
};

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function can(actor: Actor, permission: Permission): boolean {
  return rolePermissions[actor.role].includes(permission);
}

/**
 * Whether the key may read for `purpose`: only for purposes it was issued for, except
 * that admin and privacy-officer keys issued with none may read for any. The caller
 * checks that `purpose` is declared, and checks the permission (`subjects:read-data`,
 * `subjects:read-choices`) with `can` as well.
 */
export function canReadForPurpose(actor: Actor, purpose: string): boolean {
  if (actor.purposes.length === 0) return unscopedRoles[actor.role];
  return actor.purposes.includes(purpose);
}
