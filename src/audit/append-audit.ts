import type { Kysely } from 'kysely';
import { canonicalJson } from '../canonical-json.js';
import type { Database } from '../store/schema.js';
import { auditText, hashAuditRecord, type AuditEntry, type AuditRecord } from './audit-record.js';
import { claimNextSeq, insertRecord } from './audit.repository.js';

/**
 * Appends one record to the audit chain. Call it inside the transaction that makes
 * the change it records, so the change and its record commit or roll back together.
 */
export async function appendAudit(trx: Kysely<Database>, entry: AuditEntry, now: Date = new Date()): Promise<AuditRecord> {
  const { seq, prevHash } = await claimNextSeq(trx);
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
  await insertRecord(trx, record);
  return record;
}
