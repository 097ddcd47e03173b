/**
 * Keyed blind indexes: identifiers (e-mail, phone, social handle) are looked up by
 * HMAC-SHA256 under a key wrapped by the master key, so the database can answer "do we
 * know this address?" without ever holding the address.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Keyring } from './keyring.js';
import { loadOrCreateVaultKey } from './vault-keys.js';

/** `visitor`: the browser SDK's pseudonymous visitor id (`vis_…`), kept case-sensitive. */
export type IdentifierKind = 'email' | 'phone' | 'visitor' | `social:${string}`;

export function normalizeIdentifier(kind: IdentifierKind, value: string): string {
  const trimmed = value.normalize('NFC').trim();
  if (kind === 'email') return trimmed.toLowerCase();
  if (kind === 'phone') return trimmed.replace(/[^\d+]/g, '');
  if (kind === 'visitor') return trimmed;
  return trimmed.replace(/^@/, '').toLowerCase();
}

export function blindIndex(key: Buffer, kind: IdentifierKind, value: string): string {
  return createHmac('sha256', key).update(`${kind}\0${normalizeIdentifier(kind, value)}`).digest('base64url');
}

/** The blind-index key, created on first use. */
export function loadBlindIndexKey(db: Kysely<Database>, keyring: Keyring): Promise<Buffer> {
  return loadOrCreateVaultKey(db, keyring, 'blind-index', () => randomBytes(32));
}
