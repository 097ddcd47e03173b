/**
 * The periodic work on requests: unverified requests expire when their code has run out;
 * access exports past their link's life are deleted; a request's sealed contents are
 * cleared some time after it closed (the log of what happened stays); and staff are
 * reminded, at the organisation's contact address, of requests near or past their
 * deadline, once per request per day.
 */
import type { ScheduledJob } from '../jobs/scheduler.js';
import { enqueueMessage } from '../outbox/outbox.js';
import type { VaultContext } from '../vault/vault-context.js';
import { dueState, NEAR_DUE_MS } from './deadlines.js';
import { logRequestEvent } from './request-log.js';
import { reminderMessage } from './request-messages.js';
import type { RequestKind } from './request.js';
import { stuckReason } from '../systems/system-task.js';
import { tasksOfRequest } from '../systems/system-task.repository.js';
import { clearDataClosedBefore, deleteExportsExpiredBefore, findExpiredUnverified, findReminderDue, findStuckReminderDue, markReminded, updateRequest } from './request.repository.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 200;
/** How long after closing a request its contact address and texts are kept, to answer follow-ups. */
export const CLOSED_DATA_KEEP_DAYS = 90;

export async function expireRequests(ctx: VaultContext, now: Date = new Date()): Promise<{ expired: number; exportsDeleted: number; cleared: number }> {
  const at = now.toISOString();
  let expired = 0;
  for (const row of await findExpiredUnverified(ctx.db, at, BATCH)) {
    await ctx.db.transaction().execute(async (trx) => {
      if (!(await updateRequest(trx, row.id, ['unverified'], { status: 'expired', outcome: 'expired', closed_at: at }))) return;
      await logRequestEvent(trx, { requestId: row.id, type: 'expired', actor: 'system', data: { outcome: 'expired' } }, now);
      expired += 1;
    });
  }
  const exportsDeleted = await deleteExportsExpiredBefore(ctx.db, at);
  const cleared = await clearDataClosedBefore(ctx.db, new Date(now.getTime() - CLOSED_DATA_KEEP_DAYS * DAY_MS).toISOString());
  return { expired, exportsDeleted, cleared };
}

export async function remindDueRequests(ctx: VaultContext, now: Date = new Date()): Promise<{ reminded: number }> {
  const at = now.toISOString();
  const remindedBefore = new Date(now.getTime() - DAY_MS).toISOString();
  let reminded = 0;
  const due = await findReminderDue(ctx.db, new Date(now.getTime() + NEAR_DUE_MS).toISOString(), remindedBefore, BATCH);
  // A task that failed or waits for staff is reminded of whatever the deadline: nothing is stuck without someone told.
  const stuck = await findStuckReminderDue(ctx.db, remindedBefore, now, BATCH);
  const rows = [...due, ...stuck.filter((row) => !due.some((other) => other.id === row.id))];
  for (const row of rows) {
    const tasks = (await tasksOfRequest(ctx.db, row.id)).flatMap((task) => {
      const reason = stuckReason(task, now);
      return reason === undefined ? [] : [{ system: task.system_id, status: reason }];
    });
    await ctx.db.transaction().execute(async (trx) => {
      if (!(await markReminded(trx, row.id, at, remindedBefore))) return;
      const { overdue, nearDue } = dueState(new Date(row.due_at), now);
      await enqueueMessage(
        ctx,
        trx,
        { ...reminderMessage(ctx.declaration, { requestId: row.id, kind: row.kind as RequestKind, dueAt: row.due_at, overdue, nearDue, stuck: tasks }), to: ctx.declaration.organization.contactEmail },
        now,
      );
      reminded += 1;
    });
  }
  return { reminded };
}

/** One job for both, hourly: a reminder goes at most once a day per request all the same. */
export function requestsJob(ctx: VaultContext, options: { interval?: number; onQueued?: () => void } = {}): ScheduledJob {
  return {
    name: 'requests',
    interval: options.interval ?? 60 * 60 * 1000,
    run: async (now) => {
      const expiry = await expireRequests(ctx, now);
      const { reminded } = await remindDueRequests(ctx, now);
      if (reminded > 0) options.onQueued?.();
      return `expired=${expiry.expired} exports-deleted=${expiry.exportsDeleted} cleared=${expiry.cleared} reminded=${reminded}`;
    },
  };
}
