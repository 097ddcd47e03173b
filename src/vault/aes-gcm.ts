/**
 * AES-256-GCM with associated data, as `v1.<base64 iv|tag|ciphertext>`. The associated
 * data binds a ciphertext to where it belongs (a record and field, a subject's key), so
 * a ciphertext copied elsewhere fails to decrypt instead of being read as someone else's.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1.';

/** `iv`: 12 fresh random bytes, for callers that draw them in bulk; never reuse one under a key. */
export function seal(key: Buffer, plaintext: Buffer, associatedData: string, iv: Buffer = randomBytes(IV_BYTES)): string {
  if (iv.length !== IV_BYTES) throw new Error('the IV must be 12 bytes');
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

/** Throws when the ciphertext was altered, moved, or sealed under another key. */
export function open(key: Buffer, sealed: string, associatedData: string): Buffer {
  if (!sealed.startsWith(PREFIX)) throw new Error('unknown ciphertext format');
  const bytes = Buffer.from(sealed.slice(PREFIX.length), 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}
