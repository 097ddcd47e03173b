/**
 * The one place that wires config → declaration → store → services → HTTP.
 */
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import type { Problem } from './errors.js';
import { ensureAdminKey } from './auth/api-key.js';
import { loadSigningKey } from './disclosures/signing-key.js';
import { createIngestor } from './collect/ingestor.js';
import { createEventMetrics } from './collect/metrics.js';
import { createAuth } from './http/auth.js';
import { buildServer } from './http/build-server.js';
import { startScheduler } from './jobs/scheduler.js';
import { createOutboxDeliverer, type OutboxDeliverer } from './outbox/deliver-outbox.js';
import { loadOutboxKey } from './outbox/outbox-key.js';
import { loadRequestKeys } from './requests/request-keys.js';
import { loadDeclaration } from './policy/load-declaration.js';
import { publishPolicy, type PublishOutcome } from './policy/publish-policy.js';
import { policyNoticeJob } from './policy-notices/policy-notice-job.js';
import { requestsJob } from './requests/request-jobs.js';
import { erasurePurgeJob, settlePurge } from './erasure/purge-erased.js';
import { retentionJob } from './retention/retention-job.js';
import type { RandomSource } from './stats/random-source.js';
import { openStore, type Store } from './store/open-store.js';
import { openVault } from './vault/open-vault.js';
import type { VaultContext } from './vault/vault-context.js';
import { webhookJob } from './webhooks/webhook-job.js';

export interface Vow {
  server: FastifyInstance;
  store: Store;
  /** What starting did to the policy history: published a new version, or found it current. */
  publication: PublishOutcome;
  vault: VaultContext;
  /** A one-time admin key, issued on the first start (no admin key existed); shown once. */
  firstAdminKey: string | undefined;
  warnings: Problem[];
  /** Mail delivery over SMTP, when config.smtpUrl is set; otherwise mail stays in the outbox. */
  outbox: OutboxDeliverer | undefined;
  close(): Promise<void>;
}

/**
 * Opens the store, checks the declaration (refusing to start on any problem) and
 * publishes it when it differs from the latest version, then builds the server.
 */
export async function createVow(config: Config, options: {
    logStream?: DestinationStream;
    statsRandom?: RandomSource;
    /** The ingestion benchmark turns the per-address limit of POST /v1/events off. */
    eventsRateLimit?: boolean;
  } = {}): Promise<Vow> {
  const { declaration, warnings } = await loadDeclaration(config.policyFile);
  const store = await openStore(config);
  try {
    const publication = await publishPolicy(store.db, { declaration, material: false, actor: 'system' });
    const vault = await openVault({ db: store.db, dataDir: config.dataDir, masterKeys: config.masterKeys, declaration });
    const firstAdminKey = (await ensureAdminKey(store.db))?.secret;
    const auth = createAuth(store.db);
    const signing = await loadSigningKey(store.db, vault.keyring);
    const metrics = createEventMetrics();
    const ingestor = createIngestor(vault, { counter: metrics });
    // Created now, outside any transaction: a first creation racing inside one would abort it on PostgreSQL.
    await loadOutboxKey(store.db, vault.keyring);
    await loadRequestKeys(store.db, vault.keyring);
    const outbox = config.smtpUrl ? createOutboxDeliverer(vault, { smtpUrl: config.smtpUrl, mailFrom: config.mailFrom }) : undefined;
    const kickOutbox = outbox && (() => {
      outbox.kick();
    });
    const server = await buildServer({
      store,
      vault,
      auth,
      signing,
      logLevel: config.logLevel,
      logStream: options.logStream,
      countryHeader: config.countryHeader,
      events: { ingestor, metrics, countryHeader: config.countryHeader, rateLimit: options.eventsRateLimit ?? true },
      ...(options.statsRandom ? { statsRandom: options.statsRandom } : {}),
      ...(kickOutbox ? { kickOutbox } : {}),
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    });
    // Periodic jobs: each run is claimed by exactly one process among those on one database.
    const scheduler = startScheduler({
      db: store.db,
      jobs: [retentionJob({ db: store.db, declaration }), erasurePurgeJob(store.db), policyNoticeJob(vault), webhookJob(vault), requestsJob(vault, kickOutbox ? { onQueued: kickOutbox } : {}), ...(outbox ? [outbox.job()] : [])],
      tickMs: 60_000,
      log: (level, message, details) => {
        server.log[level](details, message);
      },
    });
    return {
      server,
      store,
      publication,
      vault,
      firstAdminKey,
      warnings,
      outbox,
      async close() {
        await server.close();
        await scheduler.stop();
        await outbox?.close();
        await settlePurge(store.db);
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
