import type { Kysely } from 'kysely';
import { canonicalJson } from '../canonical-json.js';
import { VowError } from '../errors.js';
import type { Database } from '../store/schema.js';
import { auditHeadKeyOf } from './audit-head-key-plugin.js';
import { auditText, hashAuditRecord, type AuditEntry, type AuditRecord } from './audit-record.js';
import { claimNextSeq, insertRecord } from './audit.repository.js';

/**
 * Appends one record to the audit chain and seals the head over it. Call it inside the
 * transaction that makes the change it records, so the change and its record commit or
 * roll back together.
 *
 * The new head is sealed only when the head it extends holds its own seal. A head that
 * was moved, reset or forged keeps the seal it has, which can never match again: one
 * append must not launder a break into a chain that verifies, and refusing to append would
 * let whoever broke the head stop every audited change. A head sealed under a master key
 * this process does not hold is another matter, a missing key rather than a break: the
 * append is refused as a read of data wrapped under that key is.
 */
export async function appendAudit(trx: Kysely<Database>, entry: AuditEntry, now: Date = new Date()): Promise<AuditRecord> {
  const key = auditHeadKeyOf(trx);
  const { seq, prevHash, seal } = await claimNextSeq(trx);
  const unhashed = {
    seq,
    at: now.toISOString(),
    actor: auditText(entry.actor),
    action: auditText(entry.action),
    target: auditText(entry.target),
    data: canonicalJson(entry.data ?? {}),
    prevHash,
  };
  const record = { ...unhashed, hash: hashAuditRecord(unhashed) };
  const check = key.check(seq - 1, prevHash, seal);
  if (check === 'unknown-key') throw new VowError('unavailable', `the audit head is sealed under master key ${seal.keyId ?? ''}, which is not available: set it in VOW_PREVIOUS_MASTER_KEYS`);
  await insertRecord(trx, record, check === 'holds' ? key.seal(record.seq, record.hash) : seal);
  return record;
}
