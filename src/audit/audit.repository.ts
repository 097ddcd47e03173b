/** SQL for the audit log. */
import { CompiledQuery, sql, type Kysely } from 'kysely';
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
 * The three statements of an append, built once per dialect and run with their values:
 * an append is a few small statements, and building each anew cost a fifth of its time.
 * The builder still writes them; only its work is not repeated.
 */
interface AppendStatements {
  claim: string;
  insert: string;
  moveHead: string;
}
const appendStatements = new WeakMap<object, AppendStatements>();

function statementsOf(trx: Kysely<Database>): AppendStatements {
  const dialect = trx.getExecutor().adapter;
  let statements = appendStatements.get(dialect);
  if (!statements) {
    statements = {
      claim: trx
        .updateTable('audit_head')
        .set((eb) => ({ seq: eb('seq', '+', 1) }))
        .where('id', '=', 1)
        .returning(['seq', 'hash', 'mac', 'mac_key_id'])
        .compile().sql,
      insert: trx.insertInto('audit_log').values({ seq: 0, at: '', actor: '', action: '', target: '', data: '', prev_hash: '', hash: '' }).compile().sql,
      moveHead: trx.updateTable('audit_head').set({ hash: '', mac: '', mac_key_id: '' }).where('id', '=', 1).compile().sql,
    };
    appendStatements.set(dialect, statements);
  }
  return statements;
}

/**
 * Claims the next sequence number. The update takes the head row's lock (a row lock
 * on PostgreSQL, the write lock on SQLite), so concurrent appends, even from several
 * processes, queue here until the claiming transaction ends.
 */
export async function claimNextSeq(trx: Kysely<Database>): Promise<{ seq: number; prevHash: string; seal: { mac: string | null; keyId: string | null } }> {
  // Parameters in the order the builder wrote them: the increment, then the id.
  const { rows } = await trx.executeQuery<{ seq: number; hash: string; mac: string | null; mac_key_id: string | null }>(CompiledQuery.raw(statementsOf(trx).claim, [1, 1]));
  const head = rows[0];
  // No head row: the log was tampered with, and `vow audit verify` says BROKEN; nothing is appended after it.
  if (!head) throw new Error('the audit head row is missing');
  return { seq: head.seq, prevHash: head.hash, seal: { mac: head.mac, keyId: head.mac_key_id } };
}

/** Stores the record and moves the head to it, with the seal the head is to carry. */
export async function insertRecord(trx: Kysely<Database>, record: AuditRecord, seal: { mac: string | null; keyId: string | null }): Promise<void> {
  const { insert, moveHead } = statementsOf(trx);
  await trx.executeQuery(CompiledQuery.raw(insert, [record.seq, record.at, record.actor, record.action, record.target, record.data, record.prevHash, record.hash]));
  await trx.executeQuery(CompiledQuery.raw(moveHead, [record.hash, seal.mac, seal.keyId, 1]));
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



export interface AuditLogQuery {
  /** Only records before this sequence number (the page after one ending there). */
  beforeSeq?: number;
  /** An action, or a family of them ending in a dot (`request.`). */
  action?: string;
  actor?: string;
  target?: string;
  limit: number;
}

/** The log newest first, a page at a time, as staff read it: by the primary key, filtered. */
export async function readLogNewestFirst(db: Kysely<Database>, query: AuditLogQuery): Promise<AuditRecord[]> {
  let select = db.selectFrom('audit_log').selectAll();
  if (query.beforeSeq !== undefined) select = select.where('seq', '<', query.beforeSeq);
  if (query.action !== undefined) {
    // A family (`request.`): the names starting so, compared byte for byte (no LIKE wildcard, no collation).
    const family = query.action;
    select = family.endsWith('.') ? select.where(sql<string>`substr(action, 1, ${family.length})`, '=', family) : select.where('action', '=', family);
  }
  if (query.actor !== undefined) select = select.where('actor', '=', query.actor);
  if (query.target !== undefined) select = select.where('target', '=', query.target);
  const rows = await select.orderBy('seq', 'desc').limit(query.limit).execute();
  return rows.map((row) => ({ seq: row.seq, at: row.at, actor: row.actor, action: row.action, target: row.target, data: row.data, prevHash: row.prev_hash, hash: row.hash }));
}
