/**
 * Records the transfers a subject's data takes at collection: once per subject and
 * route (not per event), when the subject was collected outside the country where the
 * data is processed. Call it in the transaction that creates the subject.
 */
import type { Kysely } from 'kysely';
import type { Declaration } from '../policy/declaration.js';
import type { Database } from '../store/schema.js';
import { insertTransfers } from './transfer.repository.js';
import { collectionRoutes, type TransferRoute } from './transfer-routes.js';

export async function recordCollectionTransfers(
  trx: Kysely<Database>,
  declaration: Pick<Declaration, 'transfers'>,
  options: { subjectId: string; region: string | null | undefined; now: string },
): Promise<TransferRoute[]> {
  const routes = collectionRoutes(declaration, options.region);
  await insertTransfers(
    trx,
    routes.map((route) => ({ subjectId: options.subjectId, ...route, basis: 'collection', firstAt: options.now })),
  );
  return routes;
}
