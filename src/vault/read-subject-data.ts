import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { consentedPurposesOf } from '../consent/purpose-consent.repository.js';
import { isHeldAfterErasure } from '../erasure/held-after-erasure.js';
import { VowError } from '../errors.js';
import { purposeNeedsConsent } from '../policy/legal-basis.js';
import { declarationAcceptedBy } from '../policy-notices/version-accepted.js';
import { decryptFields, type Fields } from './field-cipher.js';
import { findKeyAndRecords } from './subject.repository.js';
import type { VaultContext } from './vault-context.js';

export interface ReadSubjectDataOptions {
  subjectId: string;
  purpose: string;
  actor: Actor;
  /** Whether the reader was granted this purpose (its API key's purposes); decided by the caller's authorization. */
  readerMayUsePurpose: boolean;
  /** Only these categories (e.g. the account category for GET /v1/accounts/:id). */
  categories?: readonly string[];
  now?: Date;
}

export interface SubjectData {
  subjectId: string;
  purpose: string;
  categories: { category: string; records: { id: string; source: string; collectedAt: string; updatedAt: string; fields: Fields }[] }[];
}

/**
 * Purpose limitation: a read names its purpose, and returns only the categories whose
 * declared purposes include it. A read for an undeclared purpose, one the reader was
 * not granted, one based on consent that the subject has not given (or withdrew), or,
 * under explicit acceptance, one the version the subject accepted did not allow, is
 * refused with the rule that refused it. Both outcomes are audited.
 */
export async function readSubjectData(ctx: VaultContext, options: ReadSubjectDataOptions): Promise<SubjectData> {
  const now = options.now ?? new Date();
  const target = `subject:${options.subjectId}`;
  const deny = async (rule: string, message: string): Promise<never> => {
    await ctx.db.transaction().execute((trx) =>
      appendAudit(trx, { actor: options.actor, action: 'subject.read-denied', target, data: { purpose: options.purpose, rule } }, now),
    );
    throw new VowError('forbidden', `${message} (rule: ${rule})`);
  };

  if (!ctx.declaration.purposes.some((purpose) => purpose.id === options.purpose)) {
    return deny('purpose-declared', `"${options.purpose}" is not a purpose the policy declares`);
  }
  if (!options.readerMayUsePurpose) return deny('key-purpose', `this API key was not issued for purpose "${options.purpose}"`);
  const purpose = ctx.declaration.purposes.find((declared) => declared.id === options.purpose);
  if (purpose?.legalBasis !== 'legal-obligation' && (await isHeldAfterErasure(ctx.db, options.subjectId))) {
    return deny('legal-hold-purpose', `this subject's erasure is held back by a legal hold: its data is read only for purposes of legal obligation`);
  }
  if (purposeNeedsConsent(ctx.declaration, options.purpose)) {
    const consented = await consentedPurposesOf(ctx.db, [options.subjectId], [options.purpose]);
    if (!consented.get(options.subjectId)?.has(options.purpose)) {
      return deny('purpose-consent', `"${options.purpose}" rests on consent, and this subject has not consented to it`);
    }
  }

  let allowed = ctx.declaration.categories
    .filter((category) => category.purposes.includes(options.purpose))
    .map((category) => category.id)
    .filter((id) => !options.categories || options.categories.includes(id));
  if (ctx.declaration.changes.acceptance === 'explicit' && ctx.versionInForce !== undefined) {
    // A holder who has not accepted a revision is handled under the version they did accept.
    const accepted = await declarationAcceptedBy(ctx.db, options.subjectId, { number: ctx.versionInForce() });
    if (accepted) {
      const before = new Set(accepted.categories.filter((category) => category.purposes.includes(options.purpose)).map((category) => category.id));
      allowed = allowed.filter((id) => before.has(id));
      if (allowed.length === 0) {
        return deny('accepted-version', `this subject has not accepted the version of the policy that uses their information for "${options.purpose}"`);
      }
    }
  }
  if (options.categories && allowed.length === 0) {
    return deny('category-purpose', `the policy does not allow ${options.categories.join(', ')} to be used for "${options.purpose}"`);
  }

  // The read and its audit record in one transaction: the record exists exactly when the data was read.
  const found = await ctx.db.transaction().execute(async (trx) => {
    const held = await findKeyAndRecords(trx, options.subjectId, allowed);
    if (held) {
      await appendAudit(trx, { actor: options.actor, action: 'subject.read', target, data: { purpose: options.purpose, records: held.records.length } }, now);
    }
    return held;
  });
  if (!found) throw new VowError('not_found', `no subject ${options.subjectId}`);
  const { records } = found;
  const subject = { id: options.subjectId, dataKey: ctx.keyring.unwrap(found.key, options.subjectId) };
  const byCategory = new Map<string, SubjectData['categories'][number]['records']>();
  for (const record of records) {
    const list = byCategory.get(record.category) ?? [];
    list.push({
      id: record.id,
      source: record.source,
      collectedAt: record.collectedAt,
      updatedAt: record.updatedAt,
      fields: decryptFields(subject.dataKey, record.id, record.data),
    });
    byCategory.set(record.category, list);
  }
  return {
    subjectId: subject.id,
    purpose: options.purpose,
    categories: [...byCategory].map(([category, list]) => ({ category, records: list })),
  };
}
