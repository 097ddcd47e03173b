/**
 * Keyed blind indexes: identifiers (e-mail, phone, social handle) are looked up by
 * HMAC-SHA256 under a key wrapped by the master key, so the database can answer "do we
 * know this address?" without ever holding the address.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import type { Keyring } from './keyring.js';

export type IdentifierKind = 'email' | 'phone' | `social:${string}`;

export function normalizeIdentifier(kind: IdentifierKind, value: string): string {
  const trimmed = value.normalize('NFC').trim();
  if (kind === 'email') return trimmed.toLowerCase();
  if (kind === 'phone') return trimmed.replace(/[^\d+]/g, '');
  return trimmed.replace(/^@/, '').toLowerCase();
}

export function blindIndex(key: Buffer, kind: IdentifierKind, value: string): string {
  return createHmac('sha256', key).update(`${kind}\0${normalizeIdentifier(kind, value)}`).digest('base64url');
}

const NAME = 'blind-index';

/** The blind-index key, created on first use; concurrent first starts agree on one key. */
export async function loadBlindIndexKey(db: Kysely<Database>, keyring: Keyring): Promise<Buffer> {
  const existing = await db.selectFrom('vault_keys').select(['wrapped', 'master_key_id']).where('name', '=', NAME).executeTakeFirst();
  if (existing) return keyring.unwrap({ masterKeyId: existing.master_key_id, wrapped: existing.wrapped }, NAME);
  const { masterKeyId, wrapped } = keyring.wrap(randomBytes(32), NAME);
  try {
    await db
      .insertInto('vault_keys')
      .values({ name: NAME, wrapped, master_key_id: masterKeyId, created_at: new Date().toISOString() })
      .execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  return loadBlindIndexKey(db, keyring);
}
