import type { Kysely } from 'kysely';
import { GENESIS_HASH } from '../store/migrations.js';
import type { Database } from '../store/schema.js';
import { auditHeadKeyOf } from './audit-head-key-plugin.js';
import type { HeadCheck } from './audit-head-key.js';
import { hashAuditRecord } from './audit-record.js';
import { readHead, readPage } from './audit.repository.js';

export type AuditVerdict =
  | { ok: true; count: number; head: string }
  | { ok: false; seq: number; reason: string };

const PAGE = 1000;

const sealBroken: Record<Exclude<HeadCheck, 'holds'>, (keyId: string) => string> = {
  missing: () => 'the head of the log carries no MAC',
  'unknown-key': (keyId) => `the head of the log is sealed under master key ${keyId}, which is not available (set it in VOW_PREVIOUS_MASTER_KEYS)`,
  mismatch: () => 'the head of the log does not carry this installation’s MAC: the log was cut, reset, rehashed or appended to without the key',
};

/**
 * Walks the chain from the first record: each sequence number follows the last,
 * each record names the previous hash, each hash recomputes, and the chain ends
 * where the head row says it does, under a seal made with the master key. Returns the
 * first record that breaks it.
 */
export async function verifyAudit(db: Kysely<Database>): Promise<AuditVerdict> {
  const key = auditHeadKeyOf(db);
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  // Start below 1 so that a row slipped in with a sequence number of 0 or less is read too.
  let cursor = -(2 ** 31);
  for (;;) {
    const page = await readPage(db, cursor, PAGE);
    for (const record of page) {
      if (record.seq !== expectedSeq) {
        return { ok: false, seq: expectedSeq, reason: `record ${expectedSeq} is missing (next is ${record.seq})` };
      }
      if (record.prevHash !== prevHash) {
        return { ok: false, seq: record.seq, reason: `record ${record.seq} does not follow record ${record.seq - 1}` };
      }
      if (hashAuditRecord(record) !== record.hash) {
        return { ok: false, seq: record.seq, reason: `record ${record.seq} was altered (its hash does not match its content)` };
      }
      prevHash = record.hash;
      cursor = record.seq;
      expectedSeq += 1;
    }
    if (page.length < PAGE) break;
  }
  const count = expectedSeq - 1;
  const head = await readHead(db);
  if (!head) return { ok: false, seq: count + 1, reason: 'the head row of the log is missing' };
  if (head.seq !== count || head.hash !== prevHash) {
    return {
      ok: false,
      seq: count + 1,
      reason: head.seq > count ? `records after ${count} are missing (the log should end at ${head.seq})` : `the log's head does not match its last record ${count}`,
    };
  }
  const check = key.check(head.seq, head.hash, head);
  if (check !== 'holds') return { ok: false, seq: count, reason: sealBroken[check](head.keyId ?? '') };
  return { ok: true, count, head: prevHash };
}
