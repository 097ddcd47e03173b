/**
 * The audit head's key travels with the database handle. `openStore` registers it when
 * it opens the store, and from then on every transaction begun from that handle carries
 * it, so `appendAudit(trx, …)`, called by some forty use cases that already receive the
 * transaction they record in, keys the head without any of them knowing the key, and a
 * handle opened without it cannot append at all. A Kysely plugin is the one thing a
 * handle passes on to its transactions; this one leaves queries and results as they are.
 */
import type { Kysely, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { VowError } from '../errors.js';
import type { AuditHeadKey } from './audit-head-key.js';

class AuditHeadKeyPlugin implements KyselyPlugin {
  constructor(readonly key: AuditHeadKey) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** The handle, and every transaction begun from it, carrying `key`. */
export function withAuditHeadKey<DB>(db: Kysely<DB>, key: AuditHeadKey): Kysely<DB> {
  return db.withPlugin(new AuditHeadKeyPlugin(key));
}

/** The key a handle carries; a handle without one was not opened by `openStore`, and must not touch the chain. */
export function auditHeadKeyOf(db: Pick<Kysely<unknown>, 'getExecutor'>): AuditHeadKey {
  const plugin = db.getExecutor().plugins.find((candidate) => candidate instanceof AuditHeadKeyPlugin);
  if (!plugin) throw new VowError('unavailable', 'this database handle carries no audit key (open the store with openStore)');
  return plugin.key;
}
