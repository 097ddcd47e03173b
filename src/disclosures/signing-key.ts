/**
 * The Ed25519 key that signs disclosure packages, so a recipient (or an auditor) can check
 * that a package came from Vow unaltered. Its private half is wrapped by the master key.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Keyring } from '../vault/keyring.js';
import { loadOrCreateVaultKey } from '../vault/vault-keys.js';

export interface SigningKey {
  sign(data: Buffer): string;
  /** The public key as PEM, for recipients to verify with. */
  publicKeyPem: string;
}

export async function loadSigningKey(db: Kysely<Database>, keyring: Keyring): Promise<SigningKey> {
  const der = await loadOrCreateVaultKey(db, keyring, 'disclosure-signing', () =>
    generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }),
  );
  const privateKey: KeyObject = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const publicKeyPem = createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
  return { sign: (data) => sign(null, data, privateKey).toString('base64'), publicKeyPem };
}

export function verifySignature(publicKeyPem: string, data: Buffer, signature: string): boolean {
  return verify(null, data, publicKeyPem, Buffer.from(signature, 'base64'));
}
