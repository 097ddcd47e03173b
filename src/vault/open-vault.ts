import type { Kysely } from 'kysely';
import type { Faults } from '../fault-points.js';
import type { Declaration } from '../policy/declaration.js';
import type { PolicySource } from '../policy/policy-in-force.js';
import type { Database } from '../store/schema.js';
import { loadBlindIndexKey } from './blind-index.js';
import { openKeyring, type KeySource } from './keyring.js';
import type { VaultContext } from './vault-context.js';

/**
 * The vault's context. With `policy` (a server's `LivePolicy`, a command's latest
 * version), `declaration` is read from it at each use, so a newer publication is
 * enforced from the next request on; a bare `declaration` is fixed (tests).
 */
export async function openVault(
  options: { db: Kysely<Database>; webhookPrivateAddresses?: boolean | undefined; faults?: Faults | undefined; variable?: ((name: string) => string | undefined) | undefined } & KeySource & ({ policy: PolicySource } | { declaration: Declaration }),
): Promise<VaultContext> {
  const keyring = openKeyring({ dataDir: options.dataDir, masterKeys: options.masterKeys, masterKeyFile: options.masterKeyFile });
  const blindKey = await loadBlindIndexKey(options.db, keyring);
  const webhookPrivateAddresses = options.webhookPrivateAddresses === true;
  const { faults, variable } = options;
  if ('declaration' in options) return { db: options.db, keyring, blindKey, webhookPrivateAddresses, faults, variable, declaration: options.declaration };
  const { policy } = options;
  return {
    db: options.db,
    keyring,
    blindKey,
    webhookPrivateAddresses,
    faults,
    variable,
    versionInForce: () => policy.current().version.number,
    get declaration() {
      return policy.current().declaration;
    },
  };
}
