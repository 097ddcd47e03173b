/**
 * The keyed head of the audit chain. The hash chain proves that the records agree with
 * one another, not that the log still ends where it ended: whoever can write to the
 * database can cut the tail and move the head back, reset both, append a record with a
 * correct hash, or rehash everything. The head therefore carries an HMAC-SHA256 over its
 * sequence number and hash, under a key derived from the master key, which never sits in
 * the database: without the master key no one can make a head that verifies.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../vault/keyring.js';

/** The MAC a head carries, and the id of the master key it was derived from (so a rotation can re-key it). */
export interface HeadSeal {
  mac: string;
  keyId: string;
}

/** What a head's stored seal says of it: the MAC holds, there is none, its master key is not available, or it does not match. */
export type HeadCheck = 'holds' | 'missing' | 'unknown-key' | 'mismatch';

export interface AuditHeadKey {
  /** The seal of the head (seq, hash) under the current master key. */
  seal(seq: number, hash: string): HeadSeal;
  /** Whether `stored` is the seal of the head (seq, hash). */
  check(seq: number, hash: string, stored: { mac: string | null; keyId: string | null }): HeadCheck;
  /** The id of the current master key: a head sealed under another is re-keyed by a rotation. */
  currentKeyId(): string;
}

const PURPOSE = 'audit-head';

/** The bytes a head's MAC covers, versioned so that a later format cannot be confused with this one. */
const macInput = (seq: number, hash: string) => `vow-audit-head/1\n${seq}\n${hash}`;

export function auditHeadKey(keyring: Keyring): AuditHeadKey {
  // A derivation per master key, not per append: HKDF would cost as much as the MAC itself.
  const derived = new Map<string, Buffer>();
  const keyFor = (keyId: string) => {
    let key = derived.get(keyId);
    if (!key) {
      key = keyring.deriveFrom(keyId, PURPOSE);
      if (key) derived.set(keyId, key);
    }
    return key;
  };
  // The last MAC made: the next append checks the head this process just sealed, and a
  // MAC is a function of key, seq and hash, so the same inputs need not be MACed twice.
  let last: { keyId: string; seq: number; hash: string; mac: Buffer } | undefined;
  const mac = (keyId: string, key: Buffer, seq: number, hash: string) => {
    if (last?.keyId === keyId && last.seq === seq && last.hash === hash) return last.mac;
    const made = createHmac('sha256', key).update(macInput(seq, hash)).digest();
    last = { keyId, seq, hash, mac: made };
    return made;
  };
  return {
    seal(seq, hash) {
      const keyId = keyring.currentId();
      const key = keyFor(keyId) ?? keyring.derive(PURPOSE).key;
      return { mac: mac(keyId, key, seq, hash).toString('hex'), keyId };
    },
    check(seq, hash, stored) {
      if (stored.mac === null || stored.keyId === null) return 'missing';
      const key = keyFor(stored.keyId);
      if (!key) return 'unknown-key';
      const expected = mac(stored.keyId, key, seq, hash);
      const given = Buffer.from(stored.mac, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected) ? 'holds' : 'mismatch';
    },
    currentKeyId: () => keyring.currentId(),
  };
}
