/** The records of processing as they stand: the declaration, with the store's counts of records and transfers. */
import type { Kysely } from 'kysely';
import type { Declaration } from '../policy/declaration.js';
import { findLatestVersion } from '../policy/policy-version.repository.js';
import type { Database } from '../store/schema.js';
import { countTransferRoutes } from '../transfers/transfer.repository.js';
import { buildRopa, type Ropa } from './ropa.js';
import { countRecordsByCategory } from './ropa.repository.js';

export async function ropaOfStore(db: Kysely<Database>, declaration: Declaration, now: Date = new Date()): Promise<Ropa> {
  const [latest, recordCounts, transferCounts] = await Promise.all([findLatestVersion(db), countRecordsByCategory(db), countTransferRoutes(db)]);
  return buildRopa(declaration, { policyVersion: latest?.number ?? null, now, recordCounts, transferCounts });
}
