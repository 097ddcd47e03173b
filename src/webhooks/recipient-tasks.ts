/**
 * Tasks for staff: telling a recipient that registered no webhook of an erasure or a
 * correction of data it received (GDPR art. 19). Queued in the transaction that makes
 * the change, listed by API and CLI, closed by the person who told the recipient. One
 * queued by a request's completion is also one of the request's tasks, which waits for it
 * (`requests/confirm-system-task.ts` closes it and finishes the request).
 */
import type { Kysely, Selectable } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import { VowError } from '../errors.js';
import type { Database, RecipientTaskTable } from '../store/schema.js';
import { newWebhookId } from './webhook-ids.js';

export interface RecipientTask {
  id: string;
  recipient: string;
  subjectId: string;
  event: 'erasure' | 'correction';
  disclosures: string[];
  fields?: string[];
  status: 'open' | 'done';
  /** The request waiting for it, when a request's completion queued it. */
  requestId: string | null;
  createdAt: string;
  doneAt: string | null;
  doneBy: string | null;
}

export async function queueRecipientTask(
  trx: Kysely<Database>,
  task: { recipient: string; subjectId: string; event: 'erasure' | 'correction'; disclosures: string[]; fields?: string[]; requestId?: string; at: string },
): Promise<string> {
  const id = newWebhookId('rtk');
  await trx
    .insertInto('recipient_tasks')
    .values({
      id,
      recipient: task.recipient,
      subject_id: task.subjectId,
      event: task.event,
      details: JSON.stringify({ disclosures: task.disclosures, ...(task.fields ? { fields: task.fields } : {}) }),
      status: 'open',
      created_at: task.at,
      done_at: null,
      done_by: null,
      request_id: task.requestId ?? null,
      done_reason: null,
    })
    .execute();
  return id;
}

export async function listRecipientTasks(db: Kysely<Database>, options: { status?: 'open' | 'done'; limit: number }): Promise<RecipientTask[]> {
  let query = db.selectFrom('recipient_tasks').selectAll();
  if (options.status) query = query.where('status', '=', options.status);
  const rows = await query.orderBy('created_at').orderBy('id').limit(options.limit).execute();
  return rows.map(toTask);
}

export function findRecipientTask(db: Kysely<Database>, id: string): Promise<Selectable<RecipientTaskTable> | undefined> {
  return db.selectFrom('recipient_tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The tasks a request's completion queued, oldest first. */
export function recipientTasksOfRequest(db: Kysely<Database>, requestId: string): Promise<Selectable<RecipientTaskTable>[]> {
  return db.selectFrom('recipient_tasks').selectAll().where('request_id', '=', requestId).orderBy('created_at').orderBy('id').execute();
}

/**
 * Closes a task: staff told the recipient. Closing it twice is refused. Inside `db` when
 * it is a transaction of the caller's (a request's, logging the reason with it).
 */
export async function completeRecipientTask(db: Kysely<Database>, options: { id: string; actor: string; reason?: string; now?: Date }): Promise<RecipientTask> {
  const now = options.now ?? new Date();
  const within = async (trx: Kysely<Database>) => {
    const updated = await trx
      .updateTable('recipient_tasks')
      .set({ status: 'done', done_at: now.toISOString(), done_by: options.actor, done_reason: options.reason === undefined ? null : 'confirmed by staff' })
      .where('id', '=', options.id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    const row = await trx.selectFrom('recipient_tasks').selectAll().where('id', '=', options.id).executeTakeFirst();
    if (!row) throw new VowError('not_found', `no recipient task ${options.id}`);
    if (Number(updated.numUpdatedRows) === 0) throw new VowError('conflict', 'this task is already done');
    await appendAudit(trx, { actor: options.actor, action: 'recipient-task.done', target: `recipient:${row.recipient}`, data: { task: row.id, event: row.event, request: row.request_id } }, now);
    return toTask(row);
  };
  return db.isTransaction ? within(db) : db.transaction().execute(within);
}

interface TaskDetails {
  disclosures?: unknown;
  fields?: unknown;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

function toTask(row: Selectable<RecipientTaskTable>): RecipientTask {
  const details = JSON.parse(row.details) as TaskDetails;
  return {
    id: row.id,
    recipient: row.recipient,
    subjectId: row.subject_id,
    event: row.event,
    disclosures: strings(details.disclosures),
    ...(details.fields === undefined ? {} : { fields: strings(details.fields) }),
    status: row.status,
    requestId: row.request_id,
    createdAt: row.created_at,
    doneAt: row.done_at,
    doneBy: row.done_by,
  };
}
