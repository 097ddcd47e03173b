/** SQL for the outbox: sealed messages and their delivery state. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, OutboxMessageTable } from '../store/schema.js';

export type OutboxRow = Selectable<OutboxMessageTable>;

export async function insertMessage(trx: Kysely<Database>, row: OutboxRow): Promise<void> {
  await trx.insertInto('outbox_messages').values(row).execute();
}

export async function listMessages(db: Kysely<Database>, options: { status?: string; limit: number }): Promise<OutboxRow[]> {
  let query = db.selectFrom('outbox_messages').selectAll();
  if (options.status) query = query.where('status', '=', options.status);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

/** Pending messages whose next attempt is due, oldest first. */
export async function dueMessages(db: Kysely<Database>, at: string, limit: number): Promise<OutboxRow[]> {
  return db
    .selectFrom('outbox_messages')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', at)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * Claims a message for one attempt by moving its next attempt forward, which only one
 * process can do from the value it read: two deliverers never send the same message twice.
 */
export async function claimMessage(db: Kysely<Database>, id: string, seen: string, until: string): Promise<boolean> {
  const result = await db
    .updateTable('outbox_messages')
    .set({ next_attempt_at: until })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '=', seen)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function markSent(db: Kysely<Database>, id: string, attempts: number, at: string): Promise<void> {
  await db.updateTable('outbox_messages').set({ status: 'sent', attempts, sent_at: at, last_error: null }).where('id', '=', id).execute();
}

export async function markAttemptFailed(
  db: Kysely<Database>,
  id: string,
  options: { attempts: number; error: string; nextAttemptAt: string; giveUp: boolean },
): Promise<void> {
  await db
    .updateTable('outbox_messages')
    .set({ attempts: options.attempts, last_error: options.error, next_attempt_at: options.nextAttemptAt, status: options.giveUp ? 'failed' : 'pending' })
    .where('id', '=', id)
    .execute();
}

/** Sent messages past their keeping time: the proof of sending is the audit record, not the text. */
export async function deleteSentBefore(db: Kysely<Database>, before: string): Promise<number> {
  const result = await db.deleteFrom('outbox_messages').where('status', '=', 'sent').where('sent_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
