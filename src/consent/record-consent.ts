/**
 * Records a consent decision: checked against the declaration's cookie categories,
 * corrected by the opt-out signals the declaration honors, stored append-only with
 * its proof, and audited, all in one transaction.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { consentModelFor } from './consent-model.js';
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { VowError, type Problem } from '../errors.js';
import type { Declaration } from '../policy/declaration.js';
import { isPublishedVersion } from '../policy/policy-version.repository.js';
import { recordContinuedUse } from '../policy-notices/accept-policy.js';
import { isUniqueViolation } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import { recordCollectionTransfers } from '../transfers/record-collection-transfers.js';
import { createSubject, findOrCreateSubject } from '../vault/subject-store.js';
import type { VaultContext } from '../vault/vault-context.js';
import { bannerHashesOf } from './banner.js';
import { consentProof, type ConsentRecord, type ConsentSource } from './consent-record.js';
import { insertConsentRecord } from './consent.repository.js';
import { honoredSignals, optOutCategories, type SignalName, type Signals } from './signals.js';
import { newVisitorId, visitorIdPattern } from './visitor-id.js';

export interface RecordConsentOptions {
  /** The id from the visitor's cookie; a new visitor gets a fresh one. */
  visitorId?: string | undefined;
  /** Cookie-category ids. Strictly necessary ones are granted whether listed or not. */
  granted: readonly string[];
  refused: readonly string[];
  source: ConsentSource;
  /** The policy version the visitor was shown. */
  policyVersion: number;
  /** `Banner.bannerHash` of the banner shown; for source `banner`, one this declaration's banner has. */
  bannerHash: string;
  /** The signals on the request that carried the decision (`readSignals(request.headers)`). */
  signals: Signals;
  actor?: Actor;
  /** ISO 3166-1 alpha-2 country the decision came from, when known: a new visitor's region. */
  region?: string | null | undefined;
  now?: Date;
}

export interface ConsentResult {
  visitorId: string;
  subjectId: string;
  /** As recorded, in declaration order: after the necessary categories were added and the signals applied. */
  granted: string[];
  refused: string[];
  /** The signals present that the declaration honors, for the privacy settings to say so. */
  signalsHonored: SignalName[];
  recordedAt: string;
  proof: string;
}

/**
 * Checks and records one decision.
 *
 *   await recordConsent(vault, { granted: ['analytics'], refused: ['advertising'], source: 'banner',
 *     policyVersion: 3, bannerHash: banner.bannerHash, signals: readSignals(request.headers) })
 */
export async function recordConsent(ctx: VaultContext, options: RecordConsentOptions): Promise<ConsentResult> {
  const { declaration } = ctx;
  const choice = checkChoice(declaration, options);
  if (options.source === 'banner' && !bannerHashesOf(declaration).has(options.bannerHash)) {
    throw new VowError('bad_request', 'bannerHash is not the hash of a banner of the policy in force: fetch the banner again', [
      { path: 'bannerHash', message: 'does not match any banner of the policy in force' },
    ]);
  }
  if (!(await isPublishedVersion(ctx.db, options.policyVersion))) {
    throw new VowError('bad_request', `policy version ${options.policyVersion} was never published`, [
      { path: 'policyVersion', message: 'is not a published version' },
    ]);
  }

  const optedOut = new Set(optOutCategories(declaration, options.signals));
  const granted = choice.granted.filter((id) => !optedOut.has(id));
  const refused = declaration.cookies.map((group) => group.id).filter((id) => !granted.includes(id));
  const isNew = options.visitorId === undefined;
  const visitorId = options.visitorId ?? newVisitorId();
  const now = options.now ?? new Date();
  const recordedAt = now.toISOString();

  const transaction = <T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> => (ctx.consentCommits ? ctx.consentCommits.run(work) : ctx.db.transaction().execute(work));
  const write = (newcomer: boolean) =>
    transaction(async (trx) => {
      const subjectOptions = { kind: 'visitor', identifiers: [{ kind: 'visitor' as const, value: visitorId }], now: recordedAt, region: options.region };
      const subject = newcomer ? await createSubject(ctx, trx, subjectOptions) : await findOrCreateSubject(ctx, trx, subjectOptions);
      if (subject.created) await recordCollectionTransfers(trx, declaration, { subjectId: subject.id, region: options.region, now: recordedAt });
      const unsealed = {
        id: `con_${randomBytes(16).toString('base64url')}`,
        subjectId: subject.id,
        policyVersion: options.policyVersion,
        granted,
        refused,
        source: options.source,
        gpc: options.signals.gpc,
        dnt: options.signals.dnt,
        recordedAt,
        bannerHash: options.bannerHash,
        region: options.region ?? null,
        consentModel: consentModelFor(declaration, options.region).model,
      };
      const record: ConsentRecord = { ...unsealed, proof: consentProof(unsealed) };
      await insertConsentRecord(trx, record);
      await appendAudit(
        trx,
        {
          actor: options.actor ?? 'public',
          action: 'consent.recorded',
          target: `subject:${subject.id}`,
          data: { record: record.id, granted: granted.join(','), refused: refused.join(','), source: options.source, gpc: record.gpc, dnt: record.dnt },
        },
        now,
      );
      if (!subject.created) await recordContinuedUse(ctx, trx, { subjectId: subject.id, actor: options.actor ?? 'public', now });
      return record;
    });

  let record: ConsentRecord;
  try {
    record = await write(isNew);
  } catch (error) {
    // Two first decisions of one visitor at once: the second joins the subject the first created.
    if (!isUniqueViolation(error)) throw error;
    record = await write(false);
  }
  return {
    visitorId,
    subjectId: record.subjectId,
    granted,
    refused,
    signalsHonored: honoredSignals(declaration, options.signals),
    recordedAt,
    proof: record.proof,
  };
}

/**
 * The visitor's own choice, checked: every id declared, strictly necessary categories
 * granted and never refused, every other category either granted or refused. Every
 * problem is listed by path. Returns the granted ids in declaration order.
 */
function checkChoice(declaration: Declaration, options: RecordConsentOptions): { granted: string[] } {
  const problems: Problem[] = [];
  if (options.visitorId !== undefined && !visitorIdPattern.test(options.visitorId)) {
    problems.push({ path: 'visitorId', message: 'must be a visitor id (vis_ followed by 22 characters)' });
  }
  const groups = new Map(declaration.cookies.map((group) => [group.id, group]));
  const granted = new Set(options.granted);
  const refused = new Set(options.refused);
  options.granted.forEach((id, index) => {
    if (!groups.has(id)) problems.push({ path: `granted[${index}]`, message: `unknown cookie category "${id}"` });
  });
  options.refused.forEach((id, index) => {
    const group = groups.get(id);
    if (!group) problems.push({ path: `refused[${index}]`, message: `unknown cookie category "${id}"` });
    else if (group.necessary) problems.push({ path: `refused[${index}]`, message: `cookie category "${id}" is strictly necessary and cannot be refused` });
    else if (granted.has(id)) problems.push({ path: `refused[${index}]`, message: `cookie category "${id}" is both granted and refused` });
  });
  for (const group of declaration.cookies) {
    if (!group.necessary && !granted.has(group.id) && !refused.has(group.id)) {
      problems.push({ path: 'granted', message: `cookie category "${group.id}" is neither granted nor refused` });
    }
  }
  const [first] = problems;
  if (first) {
    throw new VowError('bad_request', problems.length === 1 ? first.message : `${first.message} (and ${problems.length - 1} more)`, problems);
  }
  return { granted: declaration.cookies.filter((group) => group.necessary || granted.has(group.id)).map((group) => group.id) };
}
