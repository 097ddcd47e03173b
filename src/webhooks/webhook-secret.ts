/** Endpoint signing secrets: shown once, kept sealed under the `webhooks` vault key (Vow must sign with them). */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { open, seal } from '../vault/aes-gcm.js';
import type { Keyring } from '../vault/keyring.js';
import { loadOrCreateVaultKey } from '../vault/vault-keys.js';

export const WEBHOOKS_KEY = 'webhooks';

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function loadWebhooksKey(db: Kysely<Database>, keyring: Keyring): Promise<Buffer> {
  return loadOrCreateVaultKey(db, keyring, WEBHOOKS_KEY, () => randomBytes(32));
}

export function sealSecret(key: Buffer, endpointId: string, secret: string): string {
  return seal(key, Buffer.from(secret, 'utf8'), `webhook:${endpointId}`);
}

export function openSecret(key: Buffer, endpointId: string, sealed: string): string {
  return open(key, sealed, `webhook:${endpointId}`).toString('utf8');
}
