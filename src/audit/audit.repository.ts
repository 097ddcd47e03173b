/** SQL for the audit log. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { AuditRecord } from './audit-record.js';

/**
 * Claims the next sequence number. The update takes the head row's lock (a row lock
 * on PostgreSQL, the write lock on SQLite), so concurrent appends, even from several
 * processes, queue here until the claiming transaction ends.
 */
export async function claimNextSeq(trx: Kysely<Database>): Promise<{ seq: number; prevHash: string }> {
  const head = await trx
    .updateTable('audit_head')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', 1)
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  return { seq: head.seq, prevHash: head.hash };
}

export async function insertRecord(trx: Kysely<Database>, record: AuditRecord): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      seq: record.seq,
      at: record.at,
      actor: record.actor,
      action: record.action,
      target: record.target,
      data: record.data,
      prev_hash: record.prevHash,
      hash: record.hash,
    })
    .execute();
  await trx.updateTable('audit_head').set({ hash: record.hash }).where('id', '=', 1).execute();
}

/** The head row, or undefined when someone deleted it (a verdict, not a crash). */
export async function readHead(db: Kysely<Database>): Promise<{ seq: number; hash: string } | undefined> {
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  return head && { seq: head.seq, hash: head.hash };
}

/** Rows in sequence order after `afterSeq`, a page at a time, so verifying a long log stays in bounded memory. */
export async function readPage(db: Kysely<Database>, afterSeq: number, limit: number): Promise<AuditRecord[]> {
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    data: row.data,
    prevHash: row.prev_hash,
    hash: row.hash,
  }));
}


