/** What staff see of requests: the queue with its deadlines, and one request with its log. */
import type { VaultContext } from '../vault/vault-context.js';
import { VowError } from '../errors.js';
import { dueState, NEAR_DUE_MS } from './deadlines.js';
import { readRequestData, sealingKeyOf } from './request-data.js';
import { loadRequestKeys, openNote } from './request-keys.js';
import { pendingStatuses, requestOf, type DataSubjectRequest, type RequestStatus } from './request.js';
import { findRequest, listEvents, listRequests } from './request.repository.js';
import { systemTaskOf, type SystemTask } from '../systems/system-task.js';
import { requestsWithStuckTasks, tasksOfRequest } from '../systems/system-task.repository.js';

export interface ListedRequest extends DataSubjectRequest {
  daysLeft: number;
  nearDue: boolean;
  overdue: boolean;
}

export interface RequestEvent {
  at: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
  /** A staff reason, decrypted. */
  note?: string;
}

export interface RequestDetails extends ListedRequest {
  /** Decrypted; absent once the subject was erased or the data cleared. */
  email?: string;
  details?: string;
  corrections?: Record<string, string>;
  events: RequestEvent[];
  /** Each declared system's share, with its status: no identity value, no gathered row. */
  tasks: SystemTask[];
}

export interface RequestQuery {
  due?: boolean;
  status?: RequestStatus;
  subjectId?: string;
  /** The sort key of the last request of the page before. */
  after?: QueueKey;
  limit?: number;
  now?: Date;
}

/** The queue's order: the deadline, then the id. */
export interface QueueKey {
  dueAt: string;
  id: string;
}

/**
 * `due`: pending requests due within 7 days or overdue. Otherwise by status (all when none).
 * Soonest due first; `after` (the last of a page) starts the next page, and `next` is the
 * key to ask for it (null on the last page). Requests held up by a stuck task join the
 * first page of the due list, whatever their deadline.
 */
export async function pageDataSubjectRequests(ctx: VaultContext, options: RequestQuery = {}): Promise<{ requests: ListedRequest[]; next: QueueKey | null }> {
  const now = options.now ?? new Date();
  const limit = options.limit ?? 500;
  const rows = await listRequests(ctx.db, {
    ...(options.due ? { statuses: pendingStatuses, dueBefore: new Date(now.getTime() + NEAR_DUE_MS).toISOString() } : {}),
    ...(!options.due && options.status ? { statuses: [options.status] } : {}),
    ...(options.subjectId ? { subjectId: options.subjectId } : {}),
    ...(options.after ? { after: options.after } : {}),
    limit,
  });
  const last = rows.length === limit ? rows.at(-1) : undefined;
  if (options.due && !options.after) {
    // A system's task that failed, waits for staff or runs late raises its request whatever its deadline: nothing is stuck unseen.
    const listed = new Set(rows.map((row) => row.id));
    for (const id of await requestsWithStuckTasks(ctx.db, now)) {
      const row = listed.has(id) ? undefined : await findRequest(ctx.db, id);
      if (row?.status === 'waiting') rows.push(row);
    }
  }
  return { requests: rows.map((row) => withDue(requestOf(row), now)), next: last ? { dueAt: last.due_at, id: last.id } : null };
}

export async function listDataSubjectRequests(ctx: VaultContext, options: RequestQuery = {}): Promise<ListedRequest[]> {
  return (await pageDataSubjectRequests(ctx, options)).requests;
}

export async function showDataSubjectRequest(ctx: VaultContext, requestId: string, now: Date = new Date()): Promise<RequestDetails> {
  const row = await findRequest(ctx.db, requestId);
  if (!row) throw new VowError('not_found', `no request ${requestId}`);
  const keys = await loadRequestKeys(ctx.db, ctx.keyring);
  const data = await readRequestData(ctx, ctx.db, keys, row);
  const noteKey = await sealingKeyOf(ctx, ctx.db, keys, row);
  const events = (await listEvents(ctx.db, row.id)).map((event) => ({
    at: event.at,
    type: event.type,
    actor: event.actor,
    data: JSON.parse(event.data) as Record<string, unknown>,
    ...(event.note === null || !noteKey ? {} : { note: openNote(noteKey, row.id, event.note) }),
  }));
  return {
    ...withDue(requestOf(row), now),
    ...(data.email !== undefined ? { email: data.email } : {}),
    ...(data.details !== undefined ? { details: data.details } : {}),
    ...(data.corrections !== undefined ? { corrections: JSON.parse(data.corrections) as Record<string, string> } : {}),
    events,
    tasks: (await tasksOfRequest(ctx.db, row.id)).map((task) => systemTaskOf(task, now)),
  };
}

function withDue(request: DataSubjectRequest, now: Date): ListedRequest {
  const pendingNow = pendingStatuses.includes(request.status);
  const state = dueState(new Date(request.dueAt), now);
  return { ...request, daysLeft: state.daysLeft, nearDue: pendingNow && state.nearDue, overdue: pendingNow && state.overdue };
}
