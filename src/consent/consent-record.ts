/**
 * A consent decision as stored: append-only, and sealed by a proof, the SHA-256 of the
 * canonical JSON of every other field (the banner's hash included), so that a record
 * altered after the fact no longer verifies.
 */
import { canonicalJson, sameDigest, sha256Hex } from '../canonical-json.js';

/** Where a decision came from: the banner, an API client, or an opt-out signal alone. */
export const consentSources = ['banner', 'api', 'signal'] as const;
export type ConsentSource = (typeof consentSources)[number];

export interface ConsentRecord {
  id: string;
  subjectId: string;
  /** The policy version the visitor was shown. */
  policyVersion: number;
  /** Cookie-category ids, in declaration order. */
  granted: string[];
  refused: string[];
  /** A `ConsentSource` when written; typed loosely since it is read back from storage. */
  source: string;
  /** Whether the signal was present on the request that carried the decision. */
  gpc: boolean;
  dnt: boolean;
  recordedAt: string;
  /** SHA-256 of the banner texts shown (`Banner.bannerHash`). */
  bannerHash: string;
  /** Where the visitor was (`FR`, `US-CA`), when known. */
  region: string | null;
  /** The consent model the banner showed there: `opt-in` or `opt-out` (null on records from before it was kept). */
  consentModel: string | null;
  proof: string;
}

export type UnsealedConsentRecord = Omit<ConsentRecord, 'proof'>;

export function consentProof(record: UnsealedConsentRecord): string {
  return sha256Hex(
    canonicalJson({
      id: record.id,
      subjectId: record.subjectId,
      policyVersion: record.policyVersion,
      granted: record.granted,
      refused: record.refused,
      source: record.source,
      gpc: record.gpc,
      dnt: record.dnt,
      recordedAt: record.recordedAt,
      bannerHash: record.bannerHash,
      // Absent rather than null, so that a record from before these were kept still verifies.
      ...(record.region !== null ? { region: record.region } : {}),
      ...(record.consentModel !== null ? { consentModel: record.consentModel } : {}),
    }),
  );
}

/**
 * Whether a record still matches its proof.
 *
 *   verifyConsentProof(record)                            // true
 *   verifyConsentProof({ ...record, granted: ['all'] })  // false
 */
export function verifyConsentProof(record: ConsentRecord): boolean {
  return sameDigest(record.proof, consentProof(record));
}
