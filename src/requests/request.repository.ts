/** SQL for requests, their log, verification codes and exports. */
import type { Kysely, Selectable, Updateable } from 'kysely';
import { isStuckTask } from '../systems/system-task.repository.js';
import type { Database, RequestCodeTable, RequestEventTable, RequestExportTable, RequestTable } from '../store/schema.js';
import { pendingStatuses, type RequestRow } from './request.js';

export async function insertRequest(trx: Kysely<Database>, row: RequestRow): Promise<void> {
  await trx.insertInto('requests').values(row).execute();
}

export async function findRequest(db: Kysely<Database>, id: string): Promise<RequestRow | undefined> {
  return db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Updates a request only if it is still in one of `from`: two staff acting at once cannot both complete it. */
export async function updateRequest(trx: Kysely<Database>, id: string, from: readonly string[], patch: Updateable<RequestTable>): Promise<boolean> {
  const result = await trx.updateTable('requests').set(patch).where('id', '=', id).where('status', 'in', from).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Moves the deadline once: only a request still pending and never extended. */
export async function extendDeadline(trx: Kysely<Database>, id: string, dueAt: string, at: string): Promise<boolean> {
  const result = await trx
    .updateTable('requests')
    .set({ due_at: dueAt, extended_at: at })
    .where('id', '=', id)
    .where('extended_at', 'is', null)
    .where('status', 'in', ['unverified', 'open'])
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function listRequests(
  db: Kysely<Database>,
  options: { statuses?: readonly string[]; dueBefore?: string; subjectId?: string; after?: { dueAt: string; id: string }; limit: number },
): Promise<RequestRow[]> {
  let query = db.selectFrom('requests').selectAll();
  const after = options.after;
  if (after) query = query.where((eb) => eb.or([eb('due_at', '>', after.dueAt), eb.and([eb('due_at', '=', after.dueAt), eb('id', '>', after.id)])]));
  if (options.statuses) query = query.where('status', 'in', options.statuses);
  if (options.dueBefore) query = query.where('due_at', '<=', options.dueBefore);
  if (options.subjectId) query = query.where('subject_id', '=', options.subjectId);
  return query.orderBy('due_at').orderBy('id').limit(options.limit).execute();
}

/** Requests filed for one address since a time: the per-address limit. */
export async function countRequestsOfAddress(db: Kysely<Database>, addressIndex: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('requests')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('address_hash', '=', addressIndex)
    .where('received_at', '>=', since)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** Wrong codes tried for one address's requests since a time. */
export async function countAttemptsOfAddress(db: Kysely<Database>, addressIndex: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('request_codes')
    .innerJoin('requests', 'requests.id', 'request_codes.request_id')
    .select((eb) => eb.fn.sum<string | number | null>('request_codes.attempts').as('attempts'))
    .where('requests.address_hash', '=', addressIndex)
    .where('requests.received_at', '>=', since)
    .executeTakeFirst();
  return Number(row?.attempts ?? 0);
}

/** Appends a step, numbered after the request's last one (the unique index refuses a concurrent duplicate). */
export async function insertEvent(trx: Kysely<Database>, row: Omit<Selectable<RequestEventTable>, 'seq'>): Promise<void> {
  const last = await trx
    .selectFrom('request_events')
    .select((eb) => eb.fn.max<number | string | null>('seq').as('seq'))
    .where('request_id', '=', row.request_id)
    .executeTakeFirst();
  await trx.insertInto('request_events').values({ ...row, seq: Number(last?.seq ?? 0) + 1 }).execute();
}

export async function listEvents(db: Kysely<Database>, requestId: string): Promise<Selectable<RequestEventTable>[]> {
  return db.selectFrom('request_events').selectAll().where('request_id', '=', requestId).orderBy('seq').execute();
}

export async function saveCode(trx: Kysely<Database>, row: Selectable<RequestCodeTable>): Promise<void> {
  const { code_hash, expires_at, attempts, sends, sent_at, used_at } = row;
  await trx
    .insertInto('request_codes')
    .values(row)
    .onConflict((conflict) => conflict.column('request_id').doUpdateSet({ code_hash, expires_at, attempts, sends, sent_at, used_at }))
    .execute();
}

export async function findCode(db: Kysely<Database>, requestId: string): Promise<Selectable<RequestCodeTable> | undefined> {
  return db.selectFrom('request_codes').selectAll().where('request_id', '=', requestId).executeTakeFirst();
}

/** Counts an attempt before comparing, only while attempts remain: concurrent guesses cannot exceed the limit. */
export async function claimAttempt(trx: Kysely<Database>, requestId: string, maxAttempts: number): Promise<boolean> {
  const result = await trx
    .updateTable('request_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('request_id', '=', requestId)
    .where('attempts', '<', maxAttempts)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function markCodeUsed(trx: Kysely<Database>, requestId: string, at: string): Promise<void> {
  await trx.updateTable('request_codes').set({ used_at: at }).where('request_id', '=', requestId).execute();
}

/** Unverified requests whose code has run out. */
export async function findExpiredUnverified(db: Kysely<Database>, now: string, limit: number): Promise<RequestRow[]> {
  return db
    .selectFrom('requests')
    .innerJoin('request_codes', 'request_codes.request_id', 'requests.id')
    .selectAll('requests')
    .where('requests.status', '=', 'unverified')
    .where('request_codes.expires_at', '<', now)
    .limit(limit)
    .execute();
}

/** Requests still pending (unanswered) due before a time, not reminded since another. */
export async function findReminderDue(db: Kysely<Database>, dueBefore: string, remindedBefore: string, limit: number): Promise<RequestRow[]> {
  return db
    .selectFrom('requests')
    .selectAll()
    .where('status', 'in', pendingStatuses)
    .where('due_at', '<=', dueBefore)
    .where((eb) => eb.or([eb('reminded_at', 'is', null), eb('reminded_at', '<', remindedBefore)]))
    .orderBy('due_at')
    .limit(limit)
    .execute();
}

export async function markReminded(trx: Kysely<Database>, id: string, at: string, remindedBefore: string): Promise<boolean> {
  const result = await trx
    .updateTable('requests')
    .set({ reminded_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('reminded_at', 'is', null), eb('reminded_at', '<', remindedBefore)]))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function saveExport(trx: Kysely<Database>, row: Selectable<RequestExportTable>): Promise<void> {
  await trx.deleteFrom('request_exports').where('request_id', '=', row.request_id).execute();
  await trx.insertInto('request_exports').values(row).execute();
}

export async function findExport(db: Kysely<Database>, requestId: string): Promise<Selectable<RequestExportTable> | undefined> {
  return db.selectFrom('request_exports').selectAll().where('request_id', '=', requestId).executeTakeFirst();
}

/** Spends the subject's download link: true for the one caller that used it. */
export async function useExportToken(trx: Kysely<Database>, requestId: string, at: string): Promise<boolean> {
  const result = await trx
    .updateTable('request_exports')
    .set({ used_at: at })
    .where('request_id', '=', requestId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function deleteExportsExpiredBefore(db: Kysely<Database>, before: string): Promise<number> {
  const result = await db.deleteFrom('request_exports').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Clears the sealed contents of requests closed before a time, and the blind index of
 * their address (only the daily per-address limit needs it; kept, it would let anyone
 * holding the index key test whether an address once filed a request). Their log stays.
 */
export async function clearDataClosedBefore(db: Kysely<Database>, before: string): Promise<number> {
  const result = await db
    .updateTable('requests')
    .set({ data: null, address_hash: null })
    .where('closed_at', '<', before)
    .where((eb) => eb.or([eb('data', 'is not', null), eb('address_hash', 'is not', null)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Claimed completions whose claim is older than a time: their process may have died. */
export async function findClaimedBefore(db: Kysely<Database>, claimedBefore: string, limit: number): Promise<RequestRow[]> {
  return db.selectFrom('requests').selectAll().where('status', '=', 'completing').where('claimed_at', '<', claimedBefore).orderBy('claimed_at').limit(limit).execute();
}

/** Waiting requests whose every task is done: only finishing them is left (their finisher may have died). */
export async function findWaitingAllDone(db: Kysely<Database>, limit: number): Promise<RequestRow[]> {
  return db
    .selectFrom('requests')
    .selectAll()
    .where('status', '=', 'waiting')
    .where((eb) =>
      eb.not(
        eb.or([
          eb.exists(eb.selectFrom('system_tasks').select('system_tasks.id').whereRef('system_tasks.request_id', '=', 'requests.id').where('system_tasks.status', '!=', 'done')),
          eb.exists(eb.selectFrom('recipient_tasks').select('recipient_tasks.id').whereRef('recipient_tasks.request_id', '=', 'requests.id').where('recipient_tasks.status', '!=', 'done')),
        ]),
      ),
    )
    .orderBy('due_at')
    .limit(limit)
    .execute();
}

/** Waiting requests with a task that failed, waits for staff or runs late, not reminded since a time. */
export async function findStuckReminderDue(db: Kysely<Database>, remindedBefore: string, now: Date, limit: number): Promise<RequestRow[]> {
  return db
    .selectFrom('requests')
    .selectAll()
    .where('status', '=', 'waiting')
    .where((eb) => eb.or([eb('reminded_at', 'is', null), eb('reminded_at', '<', remindedBefore)]))
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('system_tasks')
            .select('system_tasks.id')
            .whereRef('system_tasks.request_id', '=', 'requests.id')
            .where((tasks) => isStuckTask(tasks, now)),
        ),
        // A recipient staff must tell always waits for staff.
        eb.exists(eb.selectFrom('recipient_tasks').select('recipient_tasks.id').whereRef('recipient_tasks.request_id', '=', 'requests.id').where('recipient_tasks.status', '=', 'open')),
      ]),
    )
    .orderBy('due_at')
    .limit(limit)
    .execute();
}
