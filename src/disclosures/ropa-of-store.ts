/**
 * The records of processing as they stand: the declaration, with the store's counts of
 * records, events, social-platform aggregates (under the declared non-personal social
 * category) and transfers.
 */
import type { Kysely } from 'kysely';
import type { Declaration } from '../policy/declaration.js';
import { findLatestVersion } from '../policy/policy-version.repository.js';
import type { Database } from '../store/schema.js';
import { countTransferRoutes } from '../transfers/transfer.repository.js';
import { buildRopa, type Ropa } from './ropa.js';
import { countRecordsByCategory, countSocialAggregates } from './ropa.repository.js';

export async function ropaOfStore(db: Kysely<Database>, declaration: Declaration, now: Date = new Date()): Promise<Ropa> {
  const [latest, recordCounts, transferCounts, aggregates] = await Promise.all([findLatestVersion(db), countRecordsByCategory(db), countTransferRoutes(db), countSocialAggregates(db)]);
  const aggregateCategory = declaration.categories.find((category) => category.kind === 'social' && !category.personal);
  if (aggregateCategory && aggregates > 0) recordCounts.set(aggregateCategory.id, (recordCounts.get(aggregateCategory.id) ?? 0) + aggregates);
  return buildRopa(declaration, { policyVersion: latest?.number ?? null, now, recordCounts, transferCounts });
}
