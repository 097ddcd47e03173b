/**
 * The CCPA right to opt out of the sale or sharing of personal information. The choice
 * is kept per subject; opting out also appends a consent record refusing the cookie
 * categories the declaration treats as sale, sharing or advertising, for the subject
 * and the visitors linked to it that have a consent history.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import { consentProof, type ConsentRecord } from '../consent/consent-record.js';
import { insertConsentRecord } from '../consent/consent.repository.js';
import type { Declaration } from '../policy/declaration.js';
import type { Database } from '../store/schema.js';
import { blindIndex } from '../vault/blind-index.js';
import type { VaultContext } from '../vault/vault-context.js';

export type SaleOptOutReason = 'request' | 'under-16' | 'opt-in' | 'signal';

const saleTreatments: ReadonlySet<string> = new Set(['sale', 'sharing', 'advertising']);

/** Cookie categories that amount to sale, sharing or targeted advertising, in declaration order. */
export function saleCookieCategories(declaration: Pick<Declaration, 'cookies'>): string[] {
  return declaration.cookies.filter((group) => !group.necessary && group.treatedAs.some((treatment) => saleTreatments.has(treatment))).map((group) => group.id);
}

/**
 * Records the subject's choice (inside `db`, which may be the caller's transaction) and audits it.
 *
 *   await setSaleOptOut(ctx, trx, { subjectId, optedOut: true, reason: 'request', actor: 'public' })
 */
export async function setSaleOptOut(
  ctx: VaultContext,
  db: Kysely<Database>,
  options: { subjectId: string; optedOut: boolean; reason: SaleOptOutReason; actor: string; now?: Date },
): Promise<void> {
  const now = options.now ?? new Date();
  const at = now.toISOString();
  const row = { opted_out: options.optedOut ? 1 : 0, reason: options.reason, actor: options.actor, updated_at: at };
  await db
    .insertInto('sale_opt_outs')
    .values({ subject_id: options.subjectId, ...row })
    .onConflict((conflict) => conflict.column('subject_id').doUpdateSet(row))
    .execute();
  const refusedIn = options.optedOut ? await refuseSaleCookies(ctx.declaration, db, options.subjectId, now) : [];
  await appendAudit(
    db,
    {
      actor: options.actor,
      action: options.optedOut ? 'sale.opted-out' : 'sale.opted-in',
      target: `subject:${options.subjectId}`,
      data: { reason: options.reason, consentRecords: refusedIn.join(',') },
    },
    now,
  );
}

/** An opt-out from an address no subject has yet: kept by its blind index until an account claims it. */
export async function rememberAddressOptOut(db: Kysely<Database>, addressHash: string, now: Date): Promise<void> {
  await db
    .insertInto('sale_opt_out_addresses')
    .values({ address_hash: addressHash, opted_out_at: now.toISOString() })
    .onConflict((conflict) => conflict.column('address_hash').doNothing())
    .execute();
}

/** A new account whose address opted out before it existed starts opted out. */
export async function claimAddressOptOut(
  ctx: VaultContext,
  db: Kysely<Database>,
  options: { subjectId: string; email: string; actor: string; now: Date },
): Promise<boolean> {
  const claimed = await db.deleteFrom('sale_opt_out_addresses').where('address_hash', '=', blindIndex(ctx.blindKey, 'email', options.email)).executeTakeFirst();
  if (Number(claimed.numDeletedRows) === 0) return false;
  await setSaleOptOut(ctx, db, { subjectId: options.subjectId, optedOut: true, reason: 'request', actor: options.actor, now: options.now });
  return true;
}

/** Which of these subjects opted out of sale and sharing (or are under 16 and did not opt in). */
export async function saleOptedOutAmong(db: Kysely<Database>, subjectIds: readonly string[]): Promise<Set<string>> {
  if (subjectIds.length === 0) return new Set();
  const rows = await db.selectFrom('sale_opt_outs').select('subject_id').where('opted_out', '=', 1).where('subject_id', 'in', subjectIds).execute();
  return new Set(rows.map((row) => row.subject_id));
}

export async function isSaleOptedOut(db: Kysely<Database>, subjectId: string): Promise<boolean> {
  const row = await db.selectFrom('sale_opt_outs').select('opted_out').where('subject_id', '=', subjectId).executeTakeFirst();
  return row?.opted_out === 1;
}

/**
 * A consent record refusing the sale categories, for each of the subject and its linked
 * visitors whose latest decision granted one of them. Returns the new records' ids.
 */
async function refuseSaleCookies(declaration: Declaration, db: Kysely<Database>, subjectId: string, now: Date): Promise<string[]> {
  const sale = new Set(saleCookieCategories(declaration));
  if (sale.size === 0) return [];
  const linked = await db.selectFrom('subject_links').select('linked_subject_id').where('subject_id', '=', subjectId).execute();
  const ids: string[] = [];
  for (const id of [subjectId, ...linked.map((row) => row.linked_subject_id)]) {
    const latest = await db
      .selectFrom('consent_records')
      .select(['granted', 'policy_version', 'gpc', 'dnt', 'banner_hash', 'region', 'consent_model'])
      .where('subject_id', '=', id)
      .orderBy('recorded_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!latest) continue;
    const wasGranted = JSON.parse(latest.granted) as string[];
    if (!wasGranted.some((category) => sale.has(category))) continue;
    const granted = declaration.cookies.map((group) => group.id).filter((category) => wasGranted.includes(category) && !sale.has(category));
    const unsealed = {
      id: `con_${randomBytes(16).toString('base64url')}`,
      subjectId: id,
      policyVersion: latest.policy_version,
      granted,
      refused: declaration.cookies.map((group) => group.id).filter((category) => !granted.includes(category)),
      // Not a banner decision: the subject asked, through a request, and the banner shown last is named.
      source: 'api',
      gpc: latest.gpc === 1,
      dnt: latest.dnt === 1,
      recordedAt: now.toISOString(),
      bannerHash: latest.banner_hash,
      // Carried from the decision it amends: the region and model it was made under.
      region: latest.region,
      consentModel: latest.consent_model,
    };
    const record: ConsentRecord = { ...unsealed, proof: consentProof(unsealed) };
    await insertConsentRecord(db, record);
    ids.push(record.id);
  }
  return ids;
}
