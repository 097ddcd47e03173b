/** Who received what of a subject's data, when and why, with each disclosure's details opened under the subject's key. */
import type { VaultContext } from '../vault/vault-context.js';
import { openSubject } from '../vault/subject-store.js';
import { openDetails, type DisclosureDetails } from './disclosure-details.js';
import { disclosuresOfSubject, type DisclosureRow } from './disclosure.repository.js';

export type SubjectDisclosure = Omit<DisclosureRow, 'details' | 'detailsKey'> & {
  /** `{}` when none were recorded; null when they can no longer be read, or were not asked for. */
  details: DisclosureDetails | null;
};

export async function readSubjectDisclosures(ctx: VaultContext, subjectId: string, options: { withDetails: boolean }): Promise<SubjectDisclosure[]> {
  const rows = await disclosuresOfSubject(ctx.db, subjectId);
  // The subject's key is opened only when the details are wanted.
  const dataKey = rows.length === 0 || !options.withDetails ? undefined : (await openSubject(ctx, ctx.db, subjectId))?.dataKey;
  return rows.map((row) => ({
    id: row.id,
    recipient: row.recipient,
    purpose: row.purpose,
    categories: row.categories,
    country: row.country,
    kind: row.kind,
    actor: row.actor,
    createdAt: row.createdAt,
    subjectCount: row.subjectCount,
    manifestHash: row.manifestHash,
    legalGround: row.legalGround,
    silentUntil: row.silentUntil,
    details: options.withDetails ? openDetails(row.id, row.details, subjectId, row.subjectDetailsKey, dataKey) : null,
  }));
}
