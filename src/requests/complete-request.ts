/**
 * Completes a verified request, doing what it asks: access → the export, downloadable
 * once by the requester through an expiring link; correction → the corrected account
 * fields, and the recipients told; deletion → the erasure; opt-out → no sale or sharing;
 * question → the staff's answer. The requester is sent a completion notice. For an
 * address Vow does not know, the notice says that no data is held.
 *
 * Exactly once, whatever dies. The completion is claimed first (open → completing), with
 * its inputs and the requester's address sealed on the claim under the `requests` key,
 * so the notice still reaches the requester once an erasure has destroyed the subject's
 * key. Then the effect, the closing and the notice commit in one transaction. A process
 * that dies after the claim leaves the work to `resumeClaimedWork` (jobs/claimed-work.ts); one that dies inside
 * the transaction leaves nothing of it behind.
 */
import type { Kysely } from 'kysely';
import { eraseSubjectWithin, afterErasure } from '../erasure/erase-subject.js';
import { VowError } from '../errors.js';
import type { ExportPart } from '../export/export-part.js';
import { exportSubject, type SubjectExport } from '../export/export-subject.js';
import { reached } from '../fault-points.js';
import { enqueueMessage } from '../outbox/outbox.js';
import { listWords } from '../policy/policy-document-words.js';
import type { Database } from '../store/schema.js';
import { systemsReached } from '../subject-data/data-places.js';
import { captureIdentity } from '../systems/capture-identity.js';
import { openTaskResult, queueSystemTasks } from '../systems/queue-system-tasks.js';
import type { GatheredTable } from '../systems/sql-system-rights.js';
import type { SystemTaskAction, SystemTaskInput, SystemTaskRow } from '../systems/system-task.js';
import { clearTaskResults, isRecipientPlace, recipientPlace, tasksOfRequest } from '../systems/system-task.repository.js';
import { open, seal } from '../vault/aes-gcm.js';
import { correctAccountWithin } from '../vault/correct-account.js';
import { openSubject } from '../vault/subject-store.js';
import { asAddressConflict, checkAccountChanges } from '../vault/update-account.js';
import { categoryOfKind } from '../vault/validate-fields.js';
import type { VaultContext } from '../vault/vault-context.js';
import { kickDeliveries } from '../webhooks/deliver-webhooks.js';
import { loadRequest, type LoadedRequest } from './load-request.js';
import { hashSecret, loadRequestKeys, newToken } from './request-keys.js';
import { logRequestEvent } from './request-log.js';
import { aboutSubject, completionMessage } from './request-messages.js';
import type { RequestKind, RequestOutcome, RequestRow } from './request.js';
import { findRequest, saveExport, updateRequest } from './request.repository.js';
import { setSaleOptOut } from './sale-opt-out.js';

/** How long the requester's download link works. */
export const EXPORT_LINK_DAYS = 7;

export interface CompleteRequestOptions {
  requestId: string;
  actor: string;
  /** The answer to a question (required for questions). */
  answer?: string;
  /** Corrected fields, replacing those the requester gave. */
  corrections?: Record<string, string>;
  /** The server's public origin, so that the mailed download link is whole (config.publicUrl). */
  publicUrl?: string;
  now?: Date;
}

export interface CompletedRequest {
  id: string;
  /** `waiting`: Vow's own share is done, the declared systems' tasks run (`tasks`); the notice goes once they are done. */
  status: 'completed' | 'waiting';
  /** Undefined while an access request waits: its export is built once every system's rows are in. */
  outcome?: RequestOutcome;
  notified: boolean;
  /** The declared systems' tasks queued, while waiting. */
  tasks?: number;
  /** For an access request: the requester's download path (the token is shown here once, and mailed). */
  exportPath?: string;
  /** For a correction: the fields changed; for a deletion: the categories a legal hold kept. */
  fields?: string[];
  heldCategories?: string[];
  recipientsNotified?: string[];
}

/** What a claim holds, sealed: everything needed to finish the completion in another process. */
interface Completion {
  actor: string;
  answer?: string;
  corrections?: Record<string, string>;
  publicUrl?: string;
  /** Where the notice goes, read while the subject's key still existed. */
  contact?: string;
  /** Vow's own share, carried out while the declared systems' tasks run: the notice is written from it. */
  effect?: Pick<Outcome, 'outcome' | 'body' | 'details' | 'result'>;
}

interface Outcome {
  outcome: RequestOutcome;
  body: string[];
  details: Record<string, string | number | boolean | null>;
  result: Partial<CompletedRequest>;
  /** Recipients without a webhook, each a task for staff the request waits for. */
  toldByStaff?: string[];
  /** What to start once the transaction committed (webhook deliveries, the purge). */
  after?: () => void;
}

export async function completeRequest(ctx: VaultContext, options: CompleteRequestOptions): Promise<CompletedRequest> {
  const now = options.now ?? new Date();
  const loaded = await loadRequest(ctx, options.requestId, ['open']);
  const completion = completionOf(ctx, loaded, options, now);
  await ctx.db.transaction().execute(async (trx) => {
    const claim = { status: 'completing', claimed_at: now.toISOString(), completion: sealCompletion(loaded.keys.sealing, loaded.row.id, completion) };
    if (!(await updateRequest(trx, loaded.row.id, ['open'], claim))) throw new VowError('conflict', `request ${loaded.row.id} was closed or claimed meanwhile`);
    await logRequestEvent(trx, { requestId: loaded.row.id, type: 'claimed', actor: options.actor }, now);
  });
  reached(ctx, 'request.claimed');
  return finishCompletion(ctx, loaded.row.id, now);
}

/**
 * Carries out a claimed completion and closes the request, in one transaction. Safe to
 * call from several processes at once: the first to touch the claim holds the row, and
 * the others then find the request completed (conflict). A refusal (a correction that
 * now collides with another account) hands the request back to staff, open.
 */
export async function finishCompletion(ctx: VaultContext, requestId: string, now: Date = new Date()): Promise<CompletedRequest> {
  const keys = await loadRequestKeys(ctx.db, ctx.keyring);
  const row = await findRequest(ctx.db, requestId);
  if (!row) throw new VowError('not_found', `no request ${requestId}`);
  if (row.status !== 'completing' || row.completion === null) throw new VowError('conflict', `request ${requestId} is ${row.status}`);
  const completion = openCompletion(keys.sealing, row.id, row.completion);
  const reach = await systemsOf(ctx, row, completion);
  // An access request's export waits for every system's rows; without systems it is built
  // now, before the transaction, which it would otherwise hold open for as long as reading takes.
  const exported = row.kind === 'access' && row.subject_id !== null && !reach ? await exportOrNothing(ctx, row.subject_id, completion.actor, now) : undefined;
  let done: { outcome: Outcome | undefined; waitingOn: string[] } | undefined;
  try {
    done = await ctx.db.transaction().execute(async (trx) => {
      // Touching the claim first takes the row: a second finisher waits here, then finds it closed.
      if (!(await updateRequest(trx, row.id, ['completing'], { claimed_at: now.toISOString() }))) return undefined;
      const outcome = row.kind === 'access' && reach ? undefined : await carryOut(ctx, trx, row, completion, exported, keys.hashing, now);
      if (reach) await queueSystemTasks(trx, { requestId: row.id, action: reach.action, systems: reach.systems, input: reach.input, sealingKey: keys.sealing, now });
      reached(ctx, 'request.carried-out');
      // The request waits for every place that takes its share later: the systems, and the recipients staff tell.
      const waitingOn = [...(reach?.systems.map(({ system }) => system.id) ?? []), ...(outcome?.toldByStaff ?? []).map(recipientPlace)];
      if (waitingOn.length > 0) {
        const kept: Completion = { ...completion, ...(outcome ? { effect: { outcome: outcome.outcome, body: outcome.body, details: outcome.details, result: outcome.result } } : {}) };
        await updateRequest(trx, row.id, ['completing'], { status: 'waiting', completion: sealCompletion(keys.sealing, row.id, kept) });
        await logRequestEvent(trx, { requestId: row.id, type: 'waiting', actor: completion.actor, data: { systems: waitingOn.join(',') } }, now);
        return { outcome, waitingOn };
      }
      if (!outcome) throw new Error('a request that waits on nothing has an outcome');
      await updateRequest(trx, row.id, ['completing'], { status: 'completed', outcome: outcome.outcome, closed_at: now.toISOString(), completion: null });
      await logRequestEvent(trx, { requestId: row.id, type: 'completed', actor: completion.actor, data: { outcome: outcome.outcome, ...outcome.details } }, now);
      if (completion.contact !== undefined) {
        const message = completionMessage(ctx.declaration, { requestId: row.id, kind: row.kind as RequestKind, body: outcome.body });
        await enqueueMessage(ctx, trx, { ...message, to: completion.contact, ...aboutSubject(row.subject_id) }, now);
      }
      return { outcome, waitingOn };
    });
  } catch (error) {
    const refusal = asAddressConflict(error);
    if (refusal instanceof VowError) await handBack(ctx, row.id, completion.actor, refusal, now);
    throw refusal;
  }
  if (!done) throw new VowError('conflict', `request ${row.id} was completed meanwhile`);
  const { outcome, waitingOn } = done;
  outcome?.after?.();
  if (waitingOn.length > 0) ctx.onSystemTasks?.();
  reached(ctx, 'request.completed');
  if (waitingOn.length > 0) return { id: row.id, status: 'waiting', ...(outcome ? { outcome: outcome.outcome, ...outcome.result } : {}), notified: false, tasks: waitingOn.length };
  return { id: row.id, status: 'completed', ...(outcome ? { outcome: outcome.outcome, ...outcome.result } : {}), notified: completion.contact !== undefined };
}

interface Reach {
  action: SystemTaskAction;
  systems: ReturnType<typeof systemsReached>;
  input: SystemTaskInput;
}

/**
 * The declared systems an access, correction or deletion reaches, and the identity values
 * that find the subject in them, read now, while the subject's key still exists.
 */
async function systemsOf(ctx: VaultContext, row: RequestRow, completion: Completion): Promise<Reach | undefined> {
  const action = ({ access: 'access', deletion: 'erasure', correction: 'correction' } as const)[row.kind as 'access' | 'deletion' | 'correction'] as SystemTaskAction | undefined;
  if (action === undefined || row.subject_id === null) return undefined;
  const account = categoryOfKind(ctx.declaration.categories, 'account').id;
  const corrected = Object.fromEntries(Object.entries(completion.corrections ?? {}).map(([field, value]) => [`${account}.${field}`, value]));
  const systems = systemsReached(ctx.declaration, action, corrected);
  if (systems.length === 0) return undefined;
  const identity = await captureIdentity(ctx, row.subject_id, systems.map(({ system }) => system), completion.contact !== undefined ? { email: completion.contact } : {});
  return { action, systems, input: { identity, ...(action === 'correction' ? { corrected } : {}) } };
}

/**
 * Finishes a waiting request once every system's task is done: an access request's export
 * is built with one part per system, and the requester is told what was done where.
 * Safe to call again and from several processes: only one closes the request.
 */
export async function finishWaitingRequest(ctx: VaultContext, requestId: string, now: Date = new Date()): Promise<boolean> {
  const keys = await loadRequestKeys(ctx.db, ctx.keyring);
  const row = await findRequest(ctx.db, requestId);
  if (row?.status !== 'waiting' || row.completion === null) return false;
  const tasks = await tasksOfRequest(ctx.db, row.id);
  if (tasks.some((task) => task.status !== 'done')) return false;
  const completion = openCompletion(keys.sealing, row.id, row.completion);
  const exported =
    row.kind === 'access' && row.subject_id !== null ? await exportOrNothing(ctx, row.subject_id, completion.actor, now, systemParts(keys.sealing, tasks)) : undefined;
  const done = await ctx.db.transaction().execute(async (trx) => {
    if (!(await updateRequest(trx, row.id, ['waiting'], { claimed_at: now.toISOString() }))) return undefined;
    const outcome: Outcome = completion.effect ?? (await carryOut(ctx, trx, row, completion, exported, keys.hashing, now));
    const body = [...outcome.body, ...systemsSentence(ctx, row.kind as RequestKind, tasks)];
    await updateRequest(trx, row.id, ['waiting'], { status: 'completed', outcome: outcome.outcome, closed_at: now.toISOString(), completion: null });
    await clearTaskResults(trx, row.id);
    await logRequestEvent(trx, { requestId: row.id, type: 'completed', actor: completion.actor, data: { outcome: outcome.outcome, ...outcome.details, systems: tasks.length } }, now);
    if (completion.contact !== undefined) {
      const message = completionMessage(ctx.declaration, { requestId: row.id, kind: row.kind as RequestKind, body });
      await enqueueMessage(ctx, trx, { ...message, to: completion.contact, ...aboutSubject(row.subject_id) }, now);
    }
    return outcome;
  });
  done?.after?.();
  return done !== undefined;
}

/** An access export's parts from the systems: one per table, `systems/<system>/<table>`. */
function systemParts(sealingKey: Buffer, tasks: readonly SystemTaskRow[]): ExportPart[] {
  return tasks.flatMap((task) => {
    if (task.result === null) return [];
    const gathered = openTaskResult(sealingKey, task.id, task.result) as GatheredTable[];
    return gathered.map((part) => ({ name: `systems/${task.system_id}/${part.table}`, rows: part.rows, columns: [] }));
  });
}

function systemsSentence(ctx: VaultContext, kind: RequestKind, allTasks: readonly SystemTaskRow[]): string[] {
  // Recipients have their own sentence (whoIsTold).
  const tasks = allTasks.filter((task) => !isRecipientPlace(task.system_id));
  if (tasks.length === 0) return [];
  const names = listWords(tasks.map((task) => ctx.declaration.systems?.find((system) => system.id === task.system_id)?.description ?? task.system_id));
  const what = kind === 'access' ? 'The export includes what we hold in' : kind === 'deletion' ? 'We also deleted it from' : 'We also corrected it in';
  return [`${what}: ${names}.`];
}

/** The claim's inputs, checked before anything is claimed: a refusal leaves the request open as it was. */
function completionOf(ctx: VaultContext, loaded: LoadedRequest, options: CompleteRequestOptions, now: Date): Completion {
  const { row, data, contact } = loaded;
  const kind = row.kind as RequestKind;
  const answer = options.answer?.trim();
  if (kind === 'question' && !answer) throw new VowError('bad_request', 'a question needs an answer', [{ path: 'answer', message: 'is required' }]);
  let corrections: Record<string, string> | undefined;
  if (kind === 'correction' && row.subject_id !== null) {
    corrections = options.corrections ?? (data.corrections === undefined ? undefined : (JSON.parse(data.corrections) as Record<string, string>));
    if (!corrections || Object.keys(corrections).length === 0) throw new VowError('bad_request', 'no corrections to apply', [{ path: 'corrections', message: 'is required' }]);
    checkAccountChanges(ctx, corrections, now);
  }
  return {
    actor: options.actor,
    ...(kind === 'question' && answer ? { answer } : {}),
    ...(corrections ? { corrections } : {}),
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    ...(contact !== undefined ? { contact } : {}),
  };
}

function sealCompletion(key: Buffer, requestId: string, completion: Completion): string {
  return seal(key, Buffer.from(JSON.stringify(completion), 'utf8'), `request-completion\0${requestId}`);
}

function openCompletion(key: Buffer, requestId: string, sealed: string): Completion {
  return JSON.parse(open(key, sealed, `request-completion\0${requestId}`).toString('utf8')) as Completion;
}

/** A refused completion goes back to staff, open, its claim and inputs dropped; the log says why. */
async function handBack(ctx: VaultContext, requestId: string, actor: string, refusal: VowError, now: Date): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await updateRequest(trx, requestId, ['completing'], { status: 'open', claimed_at: null, completion: null }))) return;
    await logRequestEvent(trx, { requestId, type: 'completion-refused', actor, data: { code: refusal.code } }, now);
  });
}

async function exportOrNothing(ctx: VaultContext, subjectId: string, actor: string, now: Date, extraParts: ExportPart[] = []): Promise<SubjectExport | undefined> {
  try {
    return await exportSubject(ctx, { subjectId, actor, now, extraParts });
  } catch (error) {
    // Erased since the request came (another request, retention): nothing is held.
    if (error instanceof VowError && error.code === 'not_found') return undefined;
    throw error;
  }
}

const noData: Outcome = {
  outcome: 'no-data',
  body: ['We hold no personal information associated with the address you gave.'],
  details: {},
  result: {},
};

async function carryOut(
  ctx: VaultContext,
  trx: Kysely<Database>,
  row: RequestRow,
  completion: Completion,
  exported: SubjectExport | undefined,
  hashingKey: Buffer,
  now: Date,
): Promise<Outcome> {
  const subjectId = row.subject_id;
  const { actor } = completion;
  switch (row.kind as RequestKind) {
    case 'question':
      return { outcome: 'answered', body: [completion.answer ?? ''], details: {}, result: {} };
    case 'opt-out': {
      if (subjectId === null) return noData;
      await setSaleOptOut(ctx, trx, { subjectId, optedOut: true, reason: 'request', actor, now });
      return { outcome: 'opted-out', body: ['We will not sell or share your personal information from now on.'], details: {}, result: {} };
    }
    case 'access': {
      const subject = subjectId === null || !exported ? undefined : await openSubject(ctx, trx, subjectId);
      if (subjectId === null || !exported || !subject) return noData;
      const token = newToken();
      const path = `/v1/requests/${row.id}/export?token=${token}`;
      const expiresAt = new Date(now.getTime() + EXPORT_LINK_DAYS * 24 * 60 * 60 * 1000);
      await saveExport(trx, {
        request_id: row.id,
        subject_id: subjectId,
        data: seal(subject.dataKey, Buffer.from(exported.zip), `request-export\0${row.id}`),
        files: JSON.stringify(exported.files),
        token_hash: hashSecret(hashingKey, row.id, token),
        created_at: now.toISOString(),
        expires_at: expiresAt.toISOString(),
        used_at: null,
      });
      return {
        outcome: 'exported',
        body: [
          `Your personal information is ready to download, as a zip archive (${exported.files.length} files, with a summary), from:`,
          '',
          `  ${completion.publicUrl ?? ''}${path}`,
          '',
          `${completion.publicUrl ? 'The' : 'on our site. The'} link works once and until ${expiresAt.toISOString().slice(0, 10)}.`,
        ],
        details: { files: exported.files.length },
        result: { exportPath: path },
      };
    }
    case 'correction': {
      if (subjectId === null) return noData;
      const changes = checkAccountChanges(ctx, completion.corrections ?? {}, now);
      // The recipients' notices commit with the correction and the closing, never one without the others.
      const { updated, notices } = await correctAccountWithin(ctx, trx, { subjectId, changes, actor, now, requestId: row.id });
      return {
        outcome: 'corrected',
        body: [`We corrected: ${updated.join(', ')}.`, ...whoIsTold(ctx, notices.recipients, notices.toldByStaff, 'of the correction')],
        details: { fields: updated.join(',') },
        result: { fields: updated, recipientsNotified: notices.recipients },
        toldByStaff: notices.toldByStaff,
        after: () => {
          kickDeliveries(ctx, notices.deliveryIds);
        },
      };
    }
    case 'deletion': {
      if (subjectId === null) return noData;
      let erasure;
      try {
        erasure = await eraseSubjectWithin(ctx, trx, { subjectId, actor, reason: 'request', requestId: row.id, now });
      } catch (error) {
        // Erased meanwhile (another request, retention): what was asked is done.
        if (error instanceof VowError && error.code === 'not_found') return { outcome: 'erased', body: ['We deleted your personal information.'], details: {}, result: {} };
        throw error;
      }
      const { outcome, deliveryIds } = erasure;
      const held = outcome.heldCategories;
      return {
        outcome: outcome.erased ? (held.length > 0 ? 'held' : 'erased') : 'held',
        body: [
          outcome.erased ? 'We deleted your personal information.' : 'We could not delete your personal information yet.',
          ...(held.length > 0 ? [`We must keep some of it for a legal obligation (${held.join(', ')}); it is deleted when the obligation ends.`] : []),
          ...whoIsTold(ctx, outcome.recipientsNotified, outcome.recipientsToldByStaff, 'to delete it'),
        ],
        details: { held: held.join(','), recipients: outcome.recipientsNotified.length },
        result: { heldCategories: held, recipientsNotified: outcome.recipientsNotified },
        toldByStaff: outcome.recipientsToldByStaff,
        after: () => {
          afterErasure(ctx, deliveryIds);
        },
      };
    }
  }
}

/** The sentences of the person's mail that say who was told, by name: the notice goes once staff have told theirs. */
function whoIsTold(ctx: VaultContext, told: readonly string[], byStaff: readonly string[], what: string): string[] {
  const names = (ids: readonly string[]) => listWords(ids.map((id) => ctx.declaration.recipients.find((recipient) => recipient.id === id)?.name ?? id));
  return [
    ...(told.length > 0 ? [`We have told ${names(told)}, who received your information from us, ${what}.`] : []),
    ...(byStaff.length > 0 ? [`Our staff have passed your request on to ${names(byStaff)}, who also received it.`] : []),
  ];
}
