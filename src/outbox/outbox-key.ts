/** The vault key that seals outgoing messages: addresses and texts never sit in the clear. */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Keyring } from '../vault/keyring.js';
import { loadOrCreateVaultKey } from '../vault/vault-keys.js';

export function loadOutboxKey(db: Kysely<Database>, keyring: Keyring): Promise<Buffer> {
  return loadOrCreateVaultKey(db, keyring, 'outbox', () => randomBytes(32));
}
