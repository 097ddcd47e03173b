/**
 * Legal holds: a legal obligation (litigation, an authority's request) that keeps a
 * subject's data, all of it or some categories, from erasure and from retention purges.
 * The reason may name people, so it is sealed under the `legal-holds` vault key; the
 * audit records its hash only. Releasing the last hold on a subject whose erasure it
 * held back finishes that erasure.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import { sha256Hex } from '../canonical-json.js';
import { VowError } from '../errors.js';
import type { Database } from '../store/schema.js';
import { open, seal } from '../vault/aes-gcm.js';
import type { VaultContext } from '../vault/vault-context.js';
import { loadOrCreateVaultKey } from '../vault/vault-keys.js';
import { newWebhookId } from '../webhooks/webhook-ids.js';
import { eraseSubject, type ErasureOutcome } from './erase-subject.js';
import { erasuresOfSubject, subjectExists } from './erasure.repository.js';
import { findHold, holdsOfSubject, insertHold, releaseHold as markReleased, type HoldRow } from './holds.repository.js';

export const LEGAL_HOLDS_KEY = 'legal-holds';

/** A hold as staff see it: the stored row with its reason unsealed and without the reason's hash. */
export type LegalHold = Omit<HoldRow, 'reasonHash'>;

export interface PlaceHoldOptions {
  subjectId: string;
  reason: string;
  categories?: readonly string[] | undefined;
  actor: string;
  source?: 'staff' | 'legal-request';
  disclosureId?: string;
  now?: Date;
}

const holdsKey = (ctx: VaultContext, db: Kysely<Database>) => loadOrCreateVaultKey(db, ctx.keyring, LEGAL_HOLDS_KEY, () => randomBytes(32));

/** Places a hold inside `trx` (a legal-request disclosure places one in its own transaction). */
export async function placeHoldIn(ctx: VaultContext, trx: Kysely<Database>, options: PlaceHoldOptions): Promise<LegalHold> {
  const reason = options.reason.trim();
  if (reason === '') throw new VowError('bad_request', 'a hold needs a reason', [{ path: 'reason', message: 'must not be empty' }]);
  const declared = new Set(ctx.declaration.categories.map((category) => category.id));
  const categories = options.categories === undefined ? null : [...new Set(options.categories)].sort();
  if (categories?.length === 0) throw new VowError('bad_request', 'categories, when given, must name at least one category', [{ path: 'categories', message: 'is empty' }]);
  const unknown = (categories ?? []).filter((category) => !declared.has(category));
  if (unknown.length > 0) {
    throw new VowError('bad_request', `undeclared categories: ${unknown.join(', ')}`, unknown.map((category) => ({ path: 'categories', message: `${category} is not declared` })));
  }
  if (!(await subjectExists(trx, options.subjectId))) throw new VowError('not_found', 'no such subject');
  const now = options.now ?? new Date();
  const id = newWebhookId('hold');
  const key = await holdsKey(ctx, trx);
  const hold: HoldRow = {
    id,
    subjectId: options.subjectId,
    reason: seal(key, Buffer.from(reason, 'utf8'), `hold:${id}`),
    reasonHash: sha256Hex(reason),
    categories,
    source: options.source ?? 'staff',
    disclosureId: options.disclosureId ?? null,
    createdAt: now.toISOString(),
    createdBy: options.actor,
    releasedAt: null,
    releasedBy: null,
  };
  await insertHold(trx, hold);
  await appendAudit(
    trx,
    {
      actor: options.actor,
      action: 'hold.placed',
      target: `subject:${options.subjectId}`,
      data: { hold: id, reasonHash: hold.reasonHash, categories: categories?.join(',') ?? '*', source: hold.source, disclosure: hold.disclosureId },
    },
    now,
  );
  return { ...hold, reason };
}

export function placeHold(ctx: VaultContext, options: PlaceHoldOptions): Promise<LegalHold> {
  return ctx.db.transaction().execute((trx) => placeHoldIn(ctx, trx, options));
}

export async function listHolds(ctx: VaultContext, subjectId: string): Promise<LegalHold[]> {
  const holds = await holdsOfSubject(ctx.db, subjectId);
  if (holds.length === 0) return [];
  const key = await holdsKey(ctx, ctx.db);
  return holds.map((hold) => ({ ...hold, reason: open(key, hold.reason, `hold:${hold.id}`).toString('utf8') }));
}

export interface ReleaseOutcome {
  holdId: string;
  subjectId: string;
  /** The erasure the hold had kept back, finished now that nothing holds the data. */
  erasure: ErasureOutcome | undefined;
}

export async function releaseHold(ctx: VaultContext, options: { holdId: string; actor: string; now?: Date }): Promise<ReleaseOutcome> {
  const now = options.now ?? new Date();
  const hold = await ctx.db.transaction().execute(async (trx) => {
    const found = await findHold(trx, options.holdId);
    if (!found) throw new VowError('not_found', 'no such hold');
    if (!(await markReleased(trx, found.id, now.toISOString(), options.actor))) throw new VowError('conflict', 'the hold was already released');
    await appendAudit(trx, { actor: options.actor, action: 'hold.released', target: `subject:${found.subjectId}`, data: { hold: found.id } }, now);
    return found;
  });
  return { holdId: hold.id, subjectId: hold.subjectId, erasure: await resumeErasure(ctx, hold.subjectId, options.actor, now) };
}

/** When an erasure was held back and the subject is still here, erase again under whatever holds remain. */
async function resumeErasure(ctx: VaultContext, subjectId: string, actor: string, now: Date): Promise<ErasureOutcome | undefined> {
  const [latest] = (await erasuresOfSubject(ctx.db, subjectId)).slice(-1);
  if (!latest || latest.heldCategories.length === 0 || !(await subjectExists(ctx.db, subjectId))) return undefined;
  return eraseSubject(ctx, { subjectId, actor, reason: latest.reason, ...(latest.requestId ? { requestId: latest.requestId } : {}), now });
}
