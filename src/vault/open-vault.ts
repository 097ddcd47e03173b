import type { Kysely } from 'kysely';
import type { Declaration } from '../policy/declaration.js';
import type { Database } from '../store/schema.js';
import { loadBlindIndexKey } from './blind-index.js';
import { openKeyring } from './keyring.js';
import type { VaultContext } from './vault-context.js';

export async function openVault(options: {
  db: Kysely<Database>;
  dataDir: string;
  masterKeys: readonly string[] | undefined;
  declaration: Declaration;
}): Promise<VaultContext> {
  const keyring = openKeyring({ dataDir: options.dataDir, masterKeys: options.masterKeys });
  const blindKey = await loadBlindIndexKey(options.db, keyring);
  return { db: options.db, keyring, blindKey, declaration: options.declaration };
}
