/**
 * Erasure that reaches everything (GDPR art. 17, CCPA deletion): the subject's rows go
 * from every table the registry (`subject-tables.ts`) marks `delete`, its data key is
 * destroyed (crypto-shredding any copy, backups included) — the events, now unreadable,
 * right after, by the purge (`purge-erased.ts`) — visitor ids linked to its
 * account go with it, recipients of its data are sent signed notices, and a proof of
 * erasure without personal data stays. An active legal hold keeps what it holds.
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import { VowError } from '../errors.js';
import type { Database } from '../store/schema.js';
import type { VaultContext } from '../vault/vault-context.js';
import { kickDeliveries } from '../webhooks/deliver-webhooks.js';
import { queueNotices } from '../webhooks/notify-recipients.js';
import { newWebhookId } from '../webhooks/webhook-ids.js';
import { applyErasure, type ErasureCounts } from './apply-erasure.js';
import { disclosureIdsOf, insertErasure, linkedVisitors, subjectExists } from './erasure.repository.js';
import { describeScope, heldScope, type HeldScope } from './held-scope.js';
import { holdsOfSubject, type HoldRow } from './holds.repository.js';
import { kickPurge } from './purge-erased.js';

export interface ErasureOutcome {
  subjectId: string;
  erasedAt: string;
  /** False when a legal hold kept everything. */
  erased: boolean;
  /** The categories a legal hold kept (`["*"]`: everything); empty when nothing was held. */
  heldCategories: string[];
  /** The recipients queued a signed erasure notice. */
  recipientsNotified: string[];
  /** The recipients that received the data but have no webhook: staff tell them (`GET /v1/recipient-tasks`). */
  recipientsToldByStaff: string[];
}

export type ErasureReason = 'request' | 'child' | 'admin';

export interface EraseSubjectOptions {
  subjectId: string;
  actor: string;
  reason: ErasureReason;
  requestId?: string;
  now?: Date;
}

export async function eraseSubject(ctx: VaultContext, options: EraseSubjectOptions): Promise<ErasureOutcome> {
  const { outcome, deliveryIds } = await ctx.db.transaction().execute((trx) => eraseSubjectWithin(ctx, trx, options));
  afterErasure(ctx, deliveryIds);
  return outcome;
}

/**
 * The erasure's writes inside a transaction of the caller's, so that work the erasure
 * belongs to (a request's completion, a report's confirmation) commits with it or not
 * at all. Call `afterErasure` with the delivery ids once it has committed.
 */
export async function eraseSubjectWithin(
  ctx: VaultContext,
  trx: Kysely<Database>,
  options: EraseSubjectOptions,
): Promise<{ outcome: ErasureOutcome; deliveryIds: string[] }> {
  const now = options.now ?? new Date();
  if (!(await subjectExists(trx, options.subjectId))) throw new VowError('not_found', 'no such subject');
  const visitors = await linkedVisitors(trx, options.subjectId);
  const accountHolds = await holdsOfSubject(trx, options.subjectId, true);
  const main = await eraseOne(ctx, trx, options.subjectId, accountHolds, options, now);
  const deliveryIds = [...main.deliveryIds];
  // A linked visitor id is the same person: the account's holds hold it too.
  for (const visitor of visitors) deliveryIds.push(...(await eraseOne(ctx, trx, visitor, accountHolds, options, now)).deliveryIds);
  return { outcome: main.outcome, deliveryIds };
}

/** Starts at once what a committed erasure queued: the recipients' notices and the purge of its events. */
export function afterErasure(ctx: VaultContext, deliveryIds: readonly string[]): void {
  kickDeliveries(ctx, deliveryIds);
  kickPurge(ctx.db);
}

async function eraseOne(
  ctx: VaultContext,
  trx: Kysely<Database>,
  subjectId: string,
  inheritedHolds: readonly HoldRow[],
  options: EraseSubjectOptions,
  now: Date,
): Promise<{ outcome: ErasureOutcome; deliveryIds: string[] }> {
  const erasedAt = now.toISOString();
  const own = subjectId === options.subjectId ? [] : await holdsOfSubject(trx, subjectId, true);
  const scope: HeldScope = heldScope([...inheritedHolds, ...own]);
  const disclosures = await disclosureIdsOf(trx, subjectId);
  // Recipients are found through the accounting, which goes with the subject: queue first.
  const notices = scope.all ? { recipients: [], toldByStaff: [], deliveryIds: [] } : await queueNotices(ctx, trx, { subjectId, event: 'erasure', now, ...(options.requestId !== undefined ? { requestId: options.requestId } : {}) });
  const counts: ErasureCounts = await applyErasure(trx, subjectId, scope);
  const heldCategories = describeScope(scope);
  await insertErasure(trx, {
    id: newWebhookId('era'),
    subjectId,
    erasedAt,
    reason: options.reason,
    requestId: options.requestId ?? null,
    actor: options.actor,
    erased: !scope.all,
    counts,
    heldCategories,
    disclosures,
  });
  const rows = Object.values(counts).reduce((sum, count) => sum + count, 0);
  await appendAudit(
    trx,
    {
      actor: options.actor,
      action: scope.all ? 'subject.erasure-held' : 'subject.erased',
      target: `subject:${subjectId}`,
      data: {
        reason: options.reason,
        request: options.requestId ?? null,
        rows,
        held: heldCategories.join(',') || null,
        recipients: notices.recipients.length,
        toldByStaff: notices.toldByStaff.length,
        ...(subjectId === options.subjectId ? {} : { linkedTo: `subject:${options.subjectId}` }),
      },
    },
    now,
  );
  return {
    outcome: { subjectId, erasedAt, erased: !scope.all, heldCategories, recipientsNotified: notices.recipients, recipientsToldByStaff: notices.toldByStaff },
    deliveryIds: notices.deliveryIds,
  };
}
