/** SQL for the audit log. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { HeadSeal } from './audit-head-key.js';
import type { AuditRecord } from './audit-record.js';

/** The head row as stored: the last record's sequence number and hash, and the seal over both. */
export interface StoredHead {
  seq: number;
  hash: string;
  mac: string | null;
  keyId: string | null;
}

/**
 * Claims the next sequence number. The update takes the head row's lock (a row lock
 * on PostgreSQL, the write lock on SQLite), so concurrent appends, even from several
 * processes, queue here until the claiming transaction ends.
 */
export async function claimNextSeq(trx: Kysely<Database>): Promise<{ seq: number; prevHash: string; seal: { mac: string | null; keyId: string | null } }> {
  const head = await trx
    .updateTable('audit_head')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', 1)
    .returning(['seq', 'hash', 'mac', 'mac_key_id'])
    .executeTakeFirstOrThrow();
  return { seq: head.seq, prevHash: head.hash, seal: { mac: head.mac, keyId: head.mac_key_id } };
}

/** Stores the record and moves the head to it, with the seal the head is to carry. */
export async function insertRecord(trx: Kysely<Database>, record: AuditRecord, seal: { mac: string | null; keyId: string | null }): Promise<void> {
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
  await trx.updateTable('audit_head').set({ hash: record.hash, mac: seal.mac, mac_key_id: seal.keyId }).where('id', '=', 1).execute();
}

/** The head row, or undefined when someone deleted it (a verdict, not a crash). */
export async function readHead(db: Kysely<Database>): Promise<StoredHead | undefined> {
  const head = await db.selectFrom('audit_head').select(['seq', 'hash', 'mac', 'mac_key_id']).where('id', '=', 1).executeTakeFirst();
  return head && { seq: head.seq, hash: head.hash, mac: head.mac, keyId: head.mac_key_id };
}

/** Replaces the head's seal, only if the head is still the one read: an append meanwhile keeps its own. True when replaced. */
export async function replaceSeal(db: Kysely<Database>, head: StoredHead, seal: HeadSeal): Promise<boolean> {
  const result = await db
    .updateTable('audit_head')
    .set({ mac: seal.mac, mac_key_id: seal.keyId })
    .where('id', '=', 1)
    .where('seq', '=', head.seq)
    .where('hash', '=', head.hash)
    .where('mac', '=', head.mac ?? '')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
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


