/**
 * Records a person's decisions on consent-based purposes: each purpose declared and
 * based on consent, the texts shown those of the policy in force, one appended record
 * per purpose with its proof, audited, in one transaction. A withdrawal counts from the
 * moment it is recorded: every check reads the latest decision.
 */
import { randomBytes } from 'node:crypto';
import { appendAudit } from '../audit/append-audit.js';
import { VowError, type Problem } from '../errors.js';
import { isPublishedVersion } from '../policy/policy-version.repository.js';
import { isUniqueViolation } from '../store/open-store.js';
import { recordCollectionTransfers } from '../transfers/record-collection-transfers.js';
import { createSubject, findOrCreateSubject } from '../vault/subject-store.js';
import { findSubject } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import {
  purposeConsentForm,
  purposeConsentProof,
  type PurposeConsentRecord,
  type PurposeConsentSource,
  type StaffChannel,
} from './purpose-consent.js';
import { consentedPurposesOf, insertPurposeConsents } from './purpose-consent.repository.js';
import { newVisitorId } from './visitor-id.js';

export interface RecordPurposeConsentOptions {
  /** A browser visitor (a new one when no id is given), or a known subject (API and staff). */
  who: { visitorId: string | undefined } | { subjectId: string };
  granted: readonly string[];
  withdrawn: readonly string[];
  source: PurposeConsentSource;
  /** Staff only: how the person told them. */
  channel?: StaffChannel;
  /** The version whose texts were shown. */
  policyVersion: number;
  /** `PurposeConsentForm.textHash` of the texts shown. */
  textHash: string;
  actor: string;
  region?: string | null | undefined;
  now?: Date;
}

export interface PurposeConsentResult {
  subjectId: string;
  visitorId?: string;
  /** The consent-based purposes consented to now, after these decisions. */
  consented: string[];
  recordedAt: string;
  records: { purpose: string; granted: boolean; proof: string }[];
}

export async function recordPurposeConsent(ctx: VaultContext, options: RecordPurposeConsentOptions): Promise<PurposeConsentResult> {
  const form = purposeConsentForm(ctx.declaration);
  checkDecisions(form.purposes.map((purpose) => purpose.id), options);
  if (options.textHash !== form.textHash) {
    throw new VowError('bad_request', 'textHash is not the hash of the purposes shown by the policy in force: fetch the form again', [
      { path: 'textHash', message: 'does not match the consent texts of the policy in force' },
    ]);
  }
  if (options.source === 'staff' && options.channel === undefined) {
    throw new VowError('bad_request', 'a decision recorded by staff says how the person gave it', [{ path: 'channel', message: 'is required for staff' }]);
  }
  if (!(await isPublishedVersion(ctx.db, options.policyVersion))) throw new VowError('bad_request', `policy version ${options.policyVersion} was never published`, [{ path: 'policyVersion', message: 'is not a published version' }]);

  const now = options.now ?? new Date();
  const recordedAt = now.toISOString();
  const visitorId = 'visitorId' in options.who ? (options.who.visitorId ?? newVisitorId()) : undefined;
  const isNew = 'visitorId' in options.who && options.who.visitorId === undefined;

  const write = (newcomer: boolean) =>
    ctx.db.transaction().execute(async (trx) => {
      let subjectId: string;
      if (visitorId === undefined) {
        subjectId = 'subjectId' in options.who ? options.who.subjectId : '';
        const subject = await findSubject(trx, subjectId);
        if (!subject || subject.kind === 'erased') throw new VowError('not_found', `subject ${subjectId} does not exist`);
      } else {
        const subjectOptions = { kind: 'visitor', identifiers: [{ kind: 'visitor' as const, value: visitorId }], now: recordedAt, region: options.region };
        const subject = newcomer ? await createSubject(ctx, trx, subjectOptions) : await findOrCreateSubject(ctx, trx, subjectOptions);
        if (subject.created) await recordCollectionTransfers(trx, ctx.declaration, { subjectId: subject.id, region: options.region, now: recordedAt });
        subjectId = subject.id;
      }
      const decisions = [...[...new Set(options.granted)].map((purpose) => [purpose, true] as const), ...[...new Set(options.withdrawn)].map((purpose) => [purpose, false] as const)];
      const records = decisions.map(([purpose, granted]): PurposeConsentRecord => {
        const unsealed = {
          id: `pco_${randomBytes(16).toString('base64url')}`,
          subjectId,
          purpose,
          granted,
          source: options.source,
          channel: options.channel ?? null,
          actor: options.actor,
          policyVersion: options.policyVersion,
          textHash: options.textHash,
          recordedAt,
        };
        return { ...unsealed, proof: purposeConsentProof(unsealed) };
      });
      await insertPurposeConsents(trx, records);
      await appendAudit(
        trx,
        {
          actor: options.actor,
          action: 'purpose-consent.recorded',
          target: `subject:${subjectId}`,
          data: { granted: options.granted.join(','), withdrawn: options.withdrawn.join(','), source: options.source, ...(options.channel ? { channel: options.channel } : {}) },
        },
        now,
      );
      const consented = (await consentedPurposesOf(trx, [subjectId], form.purposes.map((purpose) => purpose.id))).get(subjectId) ?? new Set<string>();
      return { subjectId, records, consented };
    });

  let written: Awaited<ReturnType<typeof write>>;
  try {
    written = await write(isNew);
  } catch (error) {
    // Two first decisions of one new visitor at once: the second joins the subject the first created.
    if (!isUniqueViolation(error) || visitorId === undefined) throw error;
    written = await write(false);
  }
  return {
    subjectId: written.subjectId,
    ...(visitorId === undefined ? {} : { visitorId }),
    consented: form.purposes.map((purpose) => purpose.id).filter((id) => written.consented.has(id)),
    recordedAt,
    records: written.records.map((record) => ({ purpose: record.purpose, granted: record.granted, proof: record.proof })),
  };
}

/** Every purpose consent-based and declared, none both granted and withdrawn, at least one decision. */
function checkDecisions(consentBased: readonly string[], options: Pick<RecordPurposeConsentOptions, 'granted' | 'withdrawn'>): void {
  const problems: Problem[] = [];
  const known = new Set(consentBased);
  const check = (list: readonly string[], path: string) => {
    list.forEach((id, index) => {
      if (!known.has(id)) problems.push({ path: `${path}[${index}]`, message: `"${id}" is not a purpose of the policy in force whose legal basis is consent` });
    });
  };
  check(options.granted, 'granted');
  check(options.withdrawn, 'withdrawn');
  const granted = new Set(options.granted);
  options.withdrawn.forEach((id, index) => {
    if (granted.has(id)) problems.push({ path: `withdrawn[${index}]`, message: `"${id}" is both granted and withdrawn` });
  });
  if (options.granted.length + options.withdrawn.length === 0) problems.push({ path: 'granted', message: 'name at least one purpose to grant or withdraw' });
  const [first] = problems;
  if (first) throw new VowError('bad_request', problems.length === 1 ? first.message : `${first.message} (and ${problems.length - 1} more)`, problems);
}
