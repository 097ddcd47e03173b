/**
 * The vault keys of requests: `requests` seals what a request holds when no subject
 * (and so no subject key) is known; `request-codes` keys the
 * hashes of verification codes and download tokens, so a stolen table cannot be
 * brute-forced offline (a six-digit code has only a million values).
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { open, seal } from '../vault/aes-gcm.js';
import type { Keyring } from '../vault/keyring.js';
import { loadOrCreateVaultKey } from '../vault/vault-keys.js';

export interface RequestKeys {
  /** Seals the data and notes of requests from addresses Vow does not know. */
  sealing: Buffer;
  /** HMAC key of codes and tokens. */
  hashing: Buffer;
}

export async function loadRequestKeys(db: Kysely<Database>, keyring: Keyring): Promise<RequestKeys> {
  return {
    sealing: await loadOrCreateVaultKey(db, keyring, 'requests', () => randomBytes(32)),
    hashing: await loadOrCreateVaultKey(db, keyring, 'request-codes', () => randomBytes(32)),
  };
}

/** A six-digit code, uniformly drawn. */
export function newVerificationCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** A download token: 256 random bits. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Bound to the request it belongs to, so a code of one request is worthless for another. */
export function hashSecret(key: Buffer, requestId: string, secret: string): string {
  return createHmac('sha256', key).update(`${requestId}\0${secret.trim()}`).digest('base64url');
}

/** Compares in constant time, whatever the input. */
export function secretMatches(key: Buffer, requestId: string, secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(key, requestId, secret), 'base64url');
  const stored = Buffer.from(storedHash, 'base64url');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

export function sealNote(key: Buffer, requestId: string, note: string): string {
  return seal(key, Buffer.from(note, 'utf8'), `request-note\0${requestId}`);
}

export function openNote(key: Buffer, requestId: string, sealed: string): string {
  return open(key, sealed, `request-note\0${requestId}`).toString('utf8');
}
