/**
 * What a browser visitor consents to now among the purposes based on consent, for the
 * preference form to show the decisions in force before the person changes them. The
 * visitor id is the browser's own secret; an unknown or erased one answers exactly as a
 * visitor who never decided, so the answer tells no one apart.
 */
import { findSubjectByIdentifier } from '../vault/subject-store.js';
import { findSubject } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import { purposeConsentForm } from './purpose-consent.js';
import { consentedPurposesOf } from './purpose-consent.repository.js';

/**
 * The purposes consented to, in the declaration's order: the latest decision per purpose,
 * the linked account's included (they decide as one person, as `POST /v1/consent/purposes` answers).
 *
 *   await visitorConsentedPurposes(vault, 'vis_AKKKj2LzZJmKbtQOLyXNig') // ['newsletter']
 */
export async function visitorConsentedPurposes(ctx: VaultContext, visitorId: string): Promise<string[]> {
  const purposes = purposeConsentForm(ctx.declaration).purposes.map((purpose) => purpose.id);
  const subjectId = await findSubjectByIdentifier(ctx, ctx.db, { kind: 'visitor', value: visitorId });
  const subject = subjectId === undefined ? undefined : await findSubject(ctx.db, subjectId);
  if (!subject || subject.kind === 'erased') return [];
  const consented = (await consentedPurposesOf(ctx.db, [subject.id], purposes)).get(subject.id);
  return purposes.filter((id) => consented?.has(id) === true);
}
