/** Vow's own keys (blind-index key, signing key), kept wrapped by the master key like data keys. */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import type { Keyring } from './keyring.js';

/** The named key, created on first use; concurrent first starts agree on one key. */
export async function loadOrCreateVaultKey(db: Kysely<Database>, keyring: Keyring, name: string, create: () => Buffer): Promise<Buffer> {
  const existing = await db.selectFrom('vault_keys').select(['wrapped', 'master_key_id']).where('name', '=', name).executeTakeFirst();
  if (existing) return keyring.unwrap({ masterKeyId: existing.master_key_id, wrapped: existing.wrapped }, name);
  const { masterKeyId, wrapped } = keyring.wrap(create(), name);
  try {
    await db.insertInto('vault_keys').values({ name, wrapped, master_key_id: masterKeyId, created_at: new Date().toISOString() }).execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  return loadOrCreateVaultKey(db, keyring, name, create);
}
