/**
 * The one place that wires config → declaration → store → services → HTTP.
 */
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import type { Problem } from './errors.js';
import { ensureAdminKey } from './auth/api-key.js';
import { sealLegacyDetails } from './disclosures/seal-legacy-details.js';
import { dieAt } from './fault-points.js';
import { loadSigningKey } from './disclosures/signing-key.js';
import { createIngestor } from './collect/ingestor.js';
import { createGroupCommit } from './store/group-commit.js';
import { createEventMetrics } from './collect/metrics.js';
import { createAuth } from './http/auth.js';
import { buildServer } from './http/build-server.js';
import { startScheduler } from './jobs/scheduler.js';
import { createOutboxDeliverer, type OutboxDeliverer } from './outbox/deliver-outbox.js';
import { loadOutboxKey } from './outbox/outbox-key.js';
import { loadRequestKeys } from './requests/request-keys.js';
import { loadDeclaration } from './policy/load-declaration.js';
import { watchPolicy, type LivePolicy } from './policy/policy-in-force.js';
import { publishPolicy, type PublishOutcome } from './policy/publish-policy.js';
import { policyNoticeJob } from './policy-notices/policy-notice-job.js';
import { claimedWorkJob, resumeClaimedWork } from './jobs/claimed-work.js';
import { finishWaitingRequest } from './requests/complete-request.js';
import { createSystemTaskRunner, releaseTasksAtStart } from './systems/run-system-tasks.js';
import { requestsJob } from './requests/request-jobs.js';
import { erasurePurgeJob, settlePurge } from './erasure/purge-erased.js';
import { retentionJob } from './retention/retention-job.js';
import type { RandomSource } from './stats/random-source.js';
import { openStore, type Store } from './store/open-store.js';
import { openVault } from './vault/open-vault.js';
import type { VaultContext } from './vault/vault-context.js';
import { webhookJob } from './webhooks/webhook-job.js';
import { auditCheckpointJob } from './audit/audit-checkpoint-job.js';

export interface Vow {
  server: FastifyInstance;
  store: Store;
  /** What starting did to the policy history: published the file as a new version, found it current, or found it older (nothing published). */
  publication: PublishOutcome;
  /** The latest published version, followed while the server runs. */
  policy: LivePolicy;
  vault: VaultContext;
  /** A one-time admin key, issued on the first start (no admin key existed); shown once. */
  firstAdminKey: string | undefined;
  warnings: Problem[];
  /** Mail delivery over SMTP, when config.smtpUrl is set; otherwise mail stays in the outbox. */
  outbox: OutboxDeliverer | undefined;
  close(): Promise<void>;
}

/**
 * Opens the store, checks the declaration file (refusing to start on any problem) and
 * publishes it when its content was never published, then builds the server, which
 * enforces the latest published version and follows newer ones as they are published.
 * A file holding an older version's content publishes nothing: the latest stays in
 * force, and a warning says so (going back is `vow policy publish --rollback N`).
 */
export async function createVow(config: Config, options: {
    logStream?: DestinationStream;
    statsRandom?: RandomSource;
    /** The ingestion benchmark turns the per-address limit of POST /v1/events off. */
    eventsRateLimit?: boolean;
  } = {}): Promise<Vow> {
  const { declaration, warnings } = await loadDeclaration(config.policyFile);
  const store = await openStore(config);
  // Stopped if the start fails after it began watching, so no timer outlives the store.
  let watching: LivePolicy | undefined;
  try {
    const publication = await publishPolicy(store.db, { declaration, material: false, actor: 'system' });
    if (publication.older) warnings.push(olderFileWarning(publication.older.number, publication.version.number));
    let log: (error: unknown) => void = () => undefined;
    const policy = await watchPolicy(store.db, {
      onError: (error) => {
        log(error);
      },
    });
    watching = policy;
    const vault = await openVault({
      db: store.db,
      dataDir: config.dataDir,
      masterKeys: config.masterKeys,
      masterKeyFile: config.masterKeyFile,
      webhookPrivateAddresses: config.webhookPrivateAddresses,
      faults: config.crashAt && dieAt(config.crashAt),
      variable: config.declaredVariable,
      policy,
    });
    const firstAdminKey = (await ensureAdminKey(store.db))?.secret;
    const auth = createAuth(store.db);
    const signing = await loadSigningKey(store.db, vault.keyring);
    const metrics = createEventMetrics();
    // Every new visitor makes a decision: in a server, decisions arriving together share a commit.
    vault.consentCommits = createGroupCommit(store.db);
    const ingestor = createIngestor(vault, { counter: metrics });
    policy.onChange(() => {
      ingestor.policyChanged();
    });
    // Created now, outside any transaction: a first creation racing inside one would abort it on PostgreSQL.
    await loadOutboxKey(store.db, vault.keyring);
    await loadRequestKeys(store.db, vault.keyring);
    // Details recorded before they were sealed are sealed before anything can read or erase them.
    await sealLegacyDetails(vault);
    const outbox = config.smtpUrl ? createOutboxDeliverer(vault, { smtpUrl: config.smtpUrl, mailFrom: config.mailFrom }) : undefined;
    const kickOutbox = outbox && (() => {
      outbox.kick();
    });
    const server = await buildServer({
      store,
      policy,
      vault,
      auth,
      signing,
      logLevel: config.logLevel,
      logFormat: config.logFormat,
      logStream: options.logStream,
      countryHeader: config.countryHeader,
      trustProxy: config.trustProxy,
      connections: config.connections,
      events: { ingestor, metrics, countryHeader: config.countryHeader, rateLimit: options.eventsRateLimit ?? true },
      ...(options.statsRandom ? { statsRandom: options.statsRandom } : {}),
      ...(kickOutbox ? { kickOutbox } : {}),
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    });
    log = (error) => {
      server.log.error({ err: error }, 'could not read the latest policy version; the one in force stays');
    };
    policy.onChange((next, previous) => {
      server.log.info({ from: previous.version.number, to: next.version.number }, 'a newer policy version is in force');
    });
    const systemTasks = createSystemTaskRunner(vault, {
      onRequestDone: async (requestId) => {
        if (await finishWaitingRequest(vault, requestId)) kickOutbox?.();
      },
    });
    vault.onSystemTasks = () => {
      systemTasks.kick();
    };
    // Tasks a process that died was running are due at once, not a lease later.
    await releaseTasksAtStart(vault);
    systemTasks.kick();
    const resumeFailed = (id: string, error: unknown) => {
      server.log.error({ err: error, id }, 'could not finish claimed work; it is tried again in a minute');
    };
    // What a process that died had claimed is finished now, not a lease later: see jobs/claimed-work.ts.
    const resuming = resumeClaimedWork(vault, { claimedBefore: new Date(), onError: resumeFailed }).then(
      ({ finished }) => {
        if (finished > 0) {
          server.log.info({ finished }, 'finished work a stopped process had claimed');
          kickOutbox?.();
        }
      },
      (error: unknown) => {
        resumeFailed('claimed-work', error);
      },
    );
    // Periodic jobs: each run is claimed by exactly one process among those on one database.
    const scheduler = startScheduler({
      db: store.db,
      jobs: [
        retentionJob({ db: store.db, policy: vault }),
        erasurePurgeJob(store.db),
        policyNoticeJob(vault),
        webhookJob(vault),
        requestsJob(vault, kickOutbox ? { onQueued: kickOutbox } : {}),
        systemTasks.job(),
        claimedWorkJob(vault, { ...(kickOutbox ? { onQueued: kickOutbox } : {}), onError: resumeFailed }),
        ...(outbox ? [outbox.job()] : []),
        ...(config.auditCheckpointDir ? [auditCheckpointJob({ db: store.db, signing, dir: config.auditCheckpointDir })] : []),
      ],
      tickMs: 60_000,
      log: (level, message, details) => {
        server.log[level](details, message);
      },
    });
    return {
      server,
      store,
      publication,
      policy,
      vault,
      firstAdminKey,
      warnings,
      outbox,
      async close() {
        policy.stop();
        await server.close();
        await resuming;
        await scheduler.stop();
        await systemTasks.settle();
        await outbox?.close();
        await settlePurge(store.db);
        await store.close();
      },
    };
  } catch (error) {
    watching?.stop();
    await store.close();
    throw error;
  }
}

function olderFileWarning(fileVersion: number, latest: number): Problem {
  return {
    path: '',
    message: `this file holds the content of published version ${fileVersion}; version ${latest} was published after it and stays in force (to go back: vow policy publish --rollback ${fileVersion})`,
  };
}
