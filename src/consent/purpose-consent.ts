/**
 * Consent to purposes whose legal basis is consent (GDPR art. 6(1)(a) and 7): specific
 * (one decision per purpose), informed (the hash of the texts shown is part of the
 * record and its proof), withdrawable as easily as given (the same form, the same route),
 * and append-only: the latest decision per purpose is in force. Accepting a policy
 * version never stands in for it.
 */
import { canonicalJson, sameDigest, sha256Hex } from '../canonical-json.js';
import type { Declaration } from '../policy/declaration.js';
import { needsConsent } from '../policy/legal-basis.js';

export const purposeConsentSources = ['form', 'api', 'staff'] as const;
export type PurposeConsentSource = (typeof purposeConsentSources)[number];
/** How a person told staff of their decision. */
export const staffChannels = ['phone', 'email', 'paper', 'in-person'] as const;
export type StaffChannel = (typeof staffChannels)[number];

export interface PurposeConsentRecord {
  id: string;
  subjectId: string;
  purpose: string;
  granted: boolean;
  source: PurposeConsentSource;
  channel: StaffChannel | null;
  actor: string;
  policyVersion: number;
  textHash: string;
  recordedAt: string;
  proof: string;
}

export function isStaffChannel(value: string): value is StaffChannel {
  return (staffChannels as readonly string[]).includes(value);
}

export type UnsealedPurposeConsent = Omit<PurposeConsentRecord, 'proof'>;

/** What a person is shown before deciding: the consent-based purposes, in their own words. */
export interface PurposeConsentForm {
  organization: string;
  purposes: { id: string; description: string }[];
  /** SHA-256 of the canonical JSON of `organization` and `purposes`. */
  textHash: string;
}

const forms = new WeakMap<Declaration, PurposeConsentForm>();

export function purposeConsentForm(declaration: Declaration): PurposeConsentForm {
  let form = forms.get(declaration);
  if (!form) {
    const organization = declaration.organization.name;
    const purposes = declaration.purposes.filter(needsConsent).map((purpose) => ({ id: purpose.id, description: purpose.description }));
    form = { organization, purposes, textHash: sha256Hex(canonicalJson({ organization, purposes })) };
    forms.set(declaration, form);
  }
  return form;
}

export function purposeConsentProof(record: UnsealedPurposeConsent): string {
  return sha256Hex(
    canonicalJson({
      id: record.id,
      subjectId: record.subjectId,
      purpose: record.purpose,
      granted: record.granted,
      source: record.source,
      channel: record.channel,
      actor: record.actor,
      policyVersion: record.policyVersion,
      textHash: record.textHash,
      recordedAt: record.recordedAt,
    }),
  );
}

export function verifyPurposeConsentProof(record: PurposeConsentRecord): boolean {
  return sameDigest(record.proof, purposeConsentProof(record));
}
