/**
 * Staff confirm a request's task done by other means (a service without a declared API, a
 * paper archive, a database Vow cannot reach today, a recipient without a webhook told by
 * mail), with the reason, sealed in the request log like every staff note. The last task
 * done finishes the request.
 */
import { VowError } from '../errors.js';
import { findSystemTask, recipientPlace, updateSystemTask } from '../systems/system-task.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import { completeRecipientTask, findRecipientTask, type RecipientTask } from '../webhooks/recipient-tasks.js';
import { finishWaitingRequest } from './complete-request.js';
import { loadRequest } from './load-request.js';
import { logRequestEvent } from './request-log.js';

export async function confirmSystemTask(
  ctx: VaultContext,
  options: { requestId: string; taskId: string; actor: string; reason: string; now?: Date },
): Promise<{ id: string; status: 'done'; requestCompleted: boolean }> {
  const now = options.now ?? new Date();
  const reason = options.reason.trim();
  if (reason === '') throw new VowError('bad_request', 'say why the task is done', [{ path: 'reason', message: 'must not be empty' }]);
  const { noteKey } = await loadRequest(ctx, options.requestId, ['waiting']);
  const note = noteKey ? { note: { key: noteKey, text: reason } } : {};
  const recipientTask = await findRecipientTask(ctx.db, options.taskId);
  if (recipientTask) {
    if (recipientTask.request_id !== options.requestId) throw new VowError('not_found', `request ${options.requestId} has no task ${options.taskId}`);
    await ctx.db.transaction().execute(async (trx) => {
      await completeRecipientTask(trx, { id: recipientTask.id, actor: options.actor, reason, now });
      const data = { system: recipientPlace(recipientTask.recipient), action: recipientTask.event };
      await logRequestEvent(trx, { requestId: options.requestId, type: 'task-confirmed', actor: options.actor, data, ...note }, now);
    });
    return { id: recipientTask.id, status: 'done', requestCompleted: await finishWaitingRequest(ctx, options.requestId, now) };
  }
  const task = await findSystemTask(ctx.db, options.taskId);
  if (task?.request_id !== options.requestId) throw new VowError('not_found', `request ${options.requestId} has no task ${options.taskId}`);
  await ctx.db.transaction().execute(async (trx) => {
    const at = now.toISOString();
    if (!(await updateSystemTask(trx, task.id, ['pending', 'failed', 'waiting-for-staff'], { status: 'done', done_at: at, done_by: options.actor, done_reason: 'confirmed by staff', lease_until: null }))) {
      throw new VowError('conflict', `task ${task.id} is ${task.status === 'done' ? 'already done' : 'running now; try again in a moment'}`);
    }
    await logRequestEvent(trx, { requestId: options.requestId, type: 'task-confirmed', actor: options.actor, data: { system: task.system_id, action: task.action }, ...note }, now);
  });
  return { id: task.id, status: 'done', requestCompleted: await finishWaitingRequest(ctx, options.requestId, now) };
}

/**
 * Closes a recipient's task from the list of them (`/v1/recipient-tasks`): the recipient
 * was told. One a request waits for finishes the request when it was the last.
 */
export async function confirmRecipientTask(ctx: VaultContext, options: { id: string; actor: string; now?: Date }): Promise<RecipientTask> {
  const now = options.now ?? new Date();
  const task = await completeRecipientTask(ctx.db, { id: options.id, actor: options.actor, now });
  if (task.requestId !== null) await finishWaitingRequest(ctx, task.requestId, now);
  return task;
}
