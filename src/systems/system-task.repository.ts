/** SQL for the declared systems' tasks. */
import type { ExpressionBuilder, Kysely, Selectable, Updateable } from 'kysely';
import type { Database, RecipientTaskTable, SystemTaskTable } from '../store/schema.js';
import { LATE_AFTER_MS, type SystemTaskRow } from './system-task.js';

/** The SQL form of `stuckReason`: failed, waiting for staff, or pending or running for longer than `LATE_AFTER_MS`. */
export function isStuckTask(eb: ExpressionBuilder<Database, 'system_tasks'>, now: Date) {
  const lateBefore = new Date(now.getTime() - LATE_AFTER_MS).toISOString();
  return eb.or([
    eb('system_tasks.status', 'in', ['failed', 'waiting-for-staff']),
    eb.and([eb('system_tasks.status', 'in', ['pending', 'running']), eb('system_tasks.created_at', '<', lateBefore)]),
  ]);
}

export async function insertSystemTasks(trx: Kysely<Database>, rows: SystemTaskRow[]): Promise<void> {
  if (rows.length > 0) await trx.insertInto('system_tasks').values(rows).execute();
}

/**
 * A request's tasks: each declared system's share, and each recipient without a webhook
 * that staff must tell (as place `recipient:<id>`, waiting for staff until they confirm).
 */
export async function tasksOfRequest(db: Kysely<Database>, requestId: string): Promise<SystemTaskRow[]> {
  const systems = await db.selectFrom('system_tasks').selectAll().where('request_id', '=', requestId).execute();
  const recipients = await db.selectFrom('recipient_tasks').selectAll().where('request_id', '=', requestId).execute();
  const all = [...systems, ...recipients.map(recipientTaskAsSystemTask)];
  return all.sort((a, b) => (a.system_id < b.system_id ? -1 : a.system_id > b.system_id ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The place of a recipient's task among a request's tasks. */
export const recipientPlace = (recipient: string) => `recipient:${recipient}`;
export const isRecipientPlace = (place: string) => place.startsWith('recipient:');

function recipientTaskAsSystemTask(row: Selectable<RecipientTaskTable>): SystemTaskRow {
  return {
    id: row.id,
    request_id: row.request_id ?? '',
    system_id: recipientPlace(row.recipient),
    action: row.event,
    status: row.status === 'done' ? 'done' : 'waiting-for-staff',
    attempts: 0,
    next_attempt_at: null,
    lease_until: null,
    last_error: null,
    input: '',
    result: null,
    done_by: row.done_by,
    done_reason: row.done_reason,
    created_at: row.created_at,
    done_at: row.done_at,
  };
}

export function findSystemTask(db: Kysely<Database>, id: string): Promise<SystemTaskRow | undefined> {
  return db.selectFrom('system_tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Tasks Vow may run now: pending or failed and due, or running under a lease that ran out (its process died; released at a start, it ends the moment it is released). */
export function dueSystemTasks(db: Kysely<Database>, at: string, limit: number): Promise<SystemTaskRow[]> {
  return db
    .selectFrom('system_tasks')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('status', 'in', ['pending', 'failed']), eb('next_attempt_at', '<=', at)]),
        eb.and([eb('status', '=', 'running'), eb('lease_until', '<=', at)]),
      ]),
    )
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** Takes a task for one run; false when another process took it first. */
export async function claimSystemTask(db: Kysely<Database>, task: SystemTaskRow, leaseUntil: string): Promise<boolean> {
  const result = await db
    .updateTable('system_tasks')
    .set({ status: 'running', lease_until: leaseUntil, attempts: task.attempts + 1 })
    .where('id', '=', task.id)
    .where('status', '=', task.status)
    .where('attempts', '=', task.attempts)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Updates a task only while it is in one of `from`. */
export async function updateSystemTask(db: Kysely<Database>, id: string, from: readonly string[], patch: Updateable<SystemTaskTable>): Promise<boolean> {
  const result = await db.updateTable('system_tasks').set(patch).where('id', '=', id).where('status', 'in', from).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Running tasks become due again: at a server's start, the process that ran them may be the one that died. */
export async function releaseRunningTasks(db: Kysely<Database>, at: string): Promise<number> {
  const result = await db.updateTable('system_tasks').set({ lease_until: at }).where('status', '=', 'running').executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Requests with a task that failed, waits for staff or runs late: raised in the due list whatever their deadline. */
export async function requestsWithStuckTasks(db: Kysely<Database>, now: Date): Promise<string[]> {
  const systems = await db.selectFrom('system_tasks').select('request_id').distinct().where((eb) => isStuckTask(eb, now)).execute();
  const recipients = await db.selectFrom('recipient_tasks').select('request_id').distinct().where('status', '=', 'open').where('request_id', 'is not', null).execute();
  return [...new Set([...systems.map((row) => row.request_id), ...recipients.flatMap((row) => (row.request_id === null ? [] : [row.request_id]))])];
}

/** An access task's gathered rows live only until the export holds them. */
export async function clearTaskResults(trx: Kysely<Database>, requestId: string): Promise<void> {
  await trx.updateTable('system_tasks').set({ result: null }).where('request_id', '=', requestId).execute();
}
