import { describe, expect, it } from 'vitest';
import type { Actor } from './actor.js';
import { can, canReadForPurpose, permissions, roles, type Permission, type Role } from './role.js';

const actor = (role: Role, purposes: readonly string[] = []): Actor => ({ keyId: 'key_0000000000000000', role, purposes });

/** Every role × every permission, spelled out so a change to the table is a visible change here. */
const expected: Record<Role, Record<Permission, boolean>> = {
  admin: {
    'accounts:read': true,
    'accounts:update': true,
    'subjects:read-data': true,
    'subjects:read-choices': true,
    'social:import': true,
    'retention:run': true,
    'keys:manage': true,
    'audit:read': true,
    'policy:read-admin': true,
    'consent:read': true,
    'consent:record': true,
    'disclosures:make': true,
    'disclosures:read': true,
    'ropa:read': true,
    'stats:release': true,
    'requests:read': true,
    'requests:manage': true,
    'outbox:read': true,
    'erasure:run': true,
    'holds:manage': true,
    'webhooks:manage': true,
    'reports:manage': true,
    'transfers:read': true,
  },
  'privacy-officer': {
    'accounts:read': true,
    'accounts:update': true,
    'subjects:read-data': true,
    'subjects:read-choices': true,
    'social:import': true,
    'retention:run': true,
    'keys:manage': false,
    'audit:read': true,
    'policy:read-admin': true,
    'consent:read': true,
    'consent:record': true,
    'disclosures:make': true,
    'disclosures:read': true,
    'ropa:read': true,
    'stats:release': true,
    'requests:read': true,
    'requests:manage': true,
    'outbox:read': true,
    'erasure:run': true,
    'holds:manage': true,
    'webhooks:manage': true,
    'reports:manage': true,
    'transfers:read': true,
  },
  support: {
    'accounts:read': true,
    'accounts:update': true,
    'subjects:read-data': true,
    'subjects:read-choices': true,
    'social:import': false,
    'retention:run': false,
    'keys:manage': false,
    'audit:read': false,
    'policy:read-admin': false,
    'consent:read': true,
    'consent:record': true,
    'disclosures:make': false,
    'disclosures:read': true,
    'ropa:read': false,
    'stats:release': false,
    'requests:read': true,
    'requests:manage': false,
    'outbox:read': false,
    'erasure:run': false,
    'holds:manage': false,
    'webhooks:manage': false,
    'reports:manage': false,
    'transfers:read': false,
  },
  auditor: {
    'accounts:read': false,
    'accounts:update': false,
    'subjects:read-data': false,
    'subjects:read-choices': true,
    'social:import': false,
    'retention:run': false,
    'keys:manage': false,
    'audit:read': true,
    'policy:read-admin': true,
    'consent:read': true,
    'consent:record': false,
    'disclosures:make': false,
    'disclosures:read': true,
    'ropa:read': true,
    'stats:release': false,
    'requests:read': true,
    'requests:manage': false,
    'outbox:read': false,
    'erasure:run': false,
    'holds:manage': false,
    'webhooks:manage': false,
    'reports:manage': false,
    'transfers:read': true,
  },
};

describe('can', () => {
  it.each(roles.flatMap((role) => permissions.map((permission) => [role, permission, expected[role][permission]] as const)))(
    '%s may %s: %s',
    (role, permission, allowed) => {
      expect(can(actor(role), permission)).toBe(allowed);
    },
  );
});

describe('canReadForPurpose', () => {
  it.each([
    // Keys issued for purposes read for those only, whatever the role.
    ['admin', ['communicate'], 'communicate', true],
    ['admin', ['communicate'], 'research', false],
    ['privacy-officer', ['research', 'communicate'], 'research', true],
    ['privacy-officer', ['research'], 'communicate', false],
    ['support', ['communicate'], 'communicate', true],
    ['support', ['communicate'], 'provide-services', false],
    ['auditor', ['legal-compliance'], 'legal-compliance', true],
    ['auditor', ['legal-compliance'], 'communicate', false],
    // Issued with none: admin and privacy officer read for any purpose, support and auditor for none.
    ['admin', [], 'communicate', true],
    ['privacy-officer', [], 'research', true],
    ['support', [], 'communicate', false],
    ['auditor', [], 'communicate', false],
  ] as const)('%s key for %j reading for %s: %s', (role, purposes, purpose, allowed) => {
    expect(canReadForPurpose(actor(role, purposes), purpose)).toBe(allowed);
  });
});
