/** Builds the HTTP server: schemas at the edge, one error handler, logs without personal data. */
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import { defaultConnections, type Config } from '../config.js';
import type { SigningKey } from '../disclosures/signing-key.js';
import type { LivePolicy, PolicySource } from '../policy/policy-in-force.js';
import type { RandomSource } from '../stats/random-source.js';
import type { Store } from '../store/open-store.js';
import type { VaultContext } from '../vault/vault-context.js';
import { auditRoutes } from './audit.routes.js';
import type { Auth } from './auth.js';
import { installBodyParsers } from './body-parsers.js';
import { childrenRoutes } from './children.routes.js';
import { addressesIn, limitConnections } from './connection-limits.js';
import { consentRoutes } from './consent.routes.js';
import { consoleRoutes } from './console.routes.js';
import { disclosuresRoutes } from './disclosures.routes.js';
import { installErrorHandler } from './error-handler.js';
import { erasureRoutes } from './erasure.routes.js';
import { eventsRoutes, type EventsRouteOptions } from './events.routes.js';
import { logsRoutes } from './logs.routes.js';
import { exportRoutes } from './export.routes.js';
import { healthRoutes } from './health.routes.js';
import { policyNoticesRoutes } from './policy-notices.routes.js';
import { overviewRoutes } from './overview.routes.js';
import { policyPublishingRoutes } from './policy-publishing.routes.js';
import { policyRoutes } from './policy.routes.js';
import { privacyFormsRoutes } from './privacy-forms.routes.js';
import { purposeConsentRoutes } from './purpose-consent.routes.js';
import { requestsRoutes } from './requests.routes.js';
import { safeValidatorCompiler } from './safe-input.js';
import { breachesRoutes } from './breaches.routes.js';
import { homeRoutes } from './home.routes.js';
import { sdkRoutes } from './sdk.routes.js';
import { sessionRoutes } from './session.routes.js';
import { installSiteCors } from './site-cors.js';
import { siteScansRoutes } from './site-scans.routes.js';
import { socialRoutes } from './social.routes.js';
import { statsRoutes } from './stats.routes.js';
import { transfersRoutes } from './transfers.routes.js';
import { truncateIp } from './truncate-ip.js';
import { visibilityRoutes } from './visibility.routes.js';
import { vaultRoutes } from './vault.routes.js';
import { webhooksRoutes } from './webhooks.routes.js';

export interface ServerOptions {
  store: Store;
  /** The latest published version (a `LivePolicy`, whose changes warm the caches); `vault.declaration` reads the same. */
  policy: PolicySource | LivePolicy;
  vault: VaultContext;
  auth: Auth;
  signing: SigningKey;
  logLevel: Config['logLevel'];
  /** `pretty` writes one readable line a record (`auto`: on a terminal); `json` one object a line. */
  logFormat?: Config['logFormat'];
  /** Where JSON logs go (stdout by default); tests pass a stream to read them. */
  logStream?: DestinationStream;
  /** Noise for statistics releases; tests pass a seeded source, servers leave it to `cryptoRandomSource()`. */
  statsRandom?: RandomSource;
  /** Starts mail delivery at once after a route queued a message (set when SMTP is configured). */
  kickOutbox?: () => void;
  /** The server's public origin (config.publicUrl), for whole links in mail. */
  publicUrl?: string;
  /** The header the operator's proxy sets to the client's country (config.countryHeader): new subjects' region. */
  countryHeader?: string | undefined;
  /** `Config.trustProxy`: the proxies whose X-Forwarded-For gives the client's address. */
  trustProxy?: readonly string[] | undefined;
  /** `Config.connections`: caps and deadlines of client connections; Vow's defaults when absent. */
  connections?: Config['connections'] | undefined;
  /** Event ingestion (`POST /v1/events`, `GET /metrics`); without it those routes are not served. */
  events?: EventsRouteOptions;
}

/** Only the method, the path without its query (queries may carry identifiers) and a truncated address. */
function requestForLog(request: FastifyRequest) {
  return { method: request.method, path: request.url.split('?')[0], ip: truncateIp(request.ip) };
}

/**
 * One line a request, written once it is answered, instead of Fastify's two (incoming,
 * completed): method, path (never the query, which may carry a token), status and time,
 * readable in its message.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {
    // The line is written when the request is answered.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    const line = `${request.method} ${request.url.split('?')[0] ?? ''} ${reply.statusCode} ${ms} ms`;
    const fields = { req: request, res: { statusCode: reply.statusCode }, ms };
    if (error) reply.log.error({ ...fields, err: error }, line);
    else reply.log.info(fields, line);
  }
}

/** Readable logs where a person reads them: asked for, or a terminal when left to `auto`. */
function prettyLogs(format: Config['logFormat'] | undefined): boolean {
  return format === 'pretty' || ((format ?? 'auto') === 'auto' && process.stdout.isTTY);
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const connections = options.connections ?? defaultConnections;
  const app = Fastify({
    logger: {
      level: options.logLevel,
      ...(options.logStream ? { stream: options.logStream } : prettyLogs(options.logFormat) ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,reqId,req,res,ms' } } } : {}),
      serializers: { req: requestForLog },
      redact: { paths: ['req.headers', 'req.body', 'res.headers'], remove: true },
    },
    logController: new OneLinePerRequest(),
    bodyLimit: 1024 * 1024,
    // Deadlines for what never finishes: headers, the whole request, an idle keep-alive
    // socket, checked every second (Node checks every 30 s by default).
    requestTimeout: connections.requestTimeoutMs,
    keepAliveTimeout: 5_000,
    connectionTimeout: 60_000,
    http: { headersTimeout: connections.headersTimeoutMs, connectionsCheckingInterval: 1_000 },
    return503OnClosing: true,
    // Only the operator's own proxies may say who the client is; anyone else's X-Forwarded-For is ignored.
    trustProxy: options.trustProxy && options.trustProxy.length > 0 ? [...options.trustProxy] : false,
    // The router's own refusals (an undecodable URL) answer like every other error, never
    // quoting the URL: its query may carry a token or an address.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      void reply.code(400).send({ error: { code: 'bad_request', message: error.code === 'FST_ERR_BAD_URL' ? 'the URL is not valid' : 'malformed request' } });
    },
  }).withTypeProvider<ZodTypeProvider>();

  limitConnections(app.server, { perAddress: connections.perAddress, total: connections.total, exempt: addressesIn(options.trustProxy ?? []) });
  app.setValidatorCompiler(safeValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  installBodyParsers(app);

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(cookie);
  await installSiteCors(app, options.vault);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Vow',
        description: 'Privacy operations: the policy declared once, rendered, versioned and enforced.',
        version: '0.1.0',
      },
    },
    transform: jsonSchemaTransform,
  });

  await app.register(healthRoutes, { store: options.store });
  await app.register(homeRoutes, { organization: () => options.vault.declaration.organization.name });
  await app.register(policyRoutes, { db: options.store.db });
  await app.register(policyPublishingRoutes, { vault: options.vault, auth: options.auth });
  await app.register(vaultRoutes, { vault: options.vault, auth: options.auth, countryHeader: options.countryHeader });
  await app.register(socialRoutes, { vault: options.vault, auth: options.auth });
  const ingestor = options.events?.ingestor;
  const forgetInIngestion =
    ingestor &&
    ((subjectIds: ReadonlySet<string>) => {
      ingestor.forgetSubjects(subjectIds);
    });
  await app.register(consentRoutes, {
    vault: options.vault,
    policy: options.policy,
    auth: options.auth,
    db: options.store.db,
    countryHeader: options.countryHeader,
    onDecision: forgetInIngestion,
  });
  await app.register(purposeConsentRoutes, {
    vault: options.vault,
    policy: options.policy,
    auth: options.auth,
    countryHeader: options.countryHeader,
    onDecision: forgetInIngestion,
  });
  await app.register(disclosuresRoutes, { vault: options.vault, reads: options.store.reads, signing: options.signing, auth: options.auth });
  await app.register(auditRoutes, { db: options.store.db, reads: options.store.reads, signing: options.signing, auth: options.auth });
  await app.register(transfersRoutes, { vault: options.vault, auth: options.auth });
  await app.register(visibilityRoutes, { vault: options.vault, auth: options.auth });
  await app.register(statsRoutes, {
    db: options.store.db,
    reads: options.store.reads,
    vault: options.vault,
    auth: options.auth,
    ...(options.statsRandom ? { rng: options.statsRandom } : {}),
  });
  await app.register(exportRoutes, { vault: options.vault, auth: options.auth });
  await app.register(childrenRoutes, { vault: options.vault, auth: options.auth });
  await app.register(policyNoticesRoutes, { vault: options.vault, auth: options.auth });
  await app.register(erasureRoutes, { vault: options.vault, auth: options.auth });
  await app.register(webhooksRoutes, { vault: options.vault, auth: options.auth });
  await app.register(breachesRoutes, { vault: options.vault, auth: options.auth });
  await app.register(siteScansRoutes, { db: options.store.reads, auth: options.auth });
  await app.register(overviewRoutes, { vault: options.vault, reads: options.store.reads, auth: options.auth, metrics: options.events?.metrics });
  await app.register(sessionRoutes, { vault: options.vault });
  if (options.events) {
    await app.register(eventsRoutes, options.events);
    await app.register(logsRoutes, { ingestor: options.events.ingestor, auth: options.auth });
  }
  await app.register(requestsRoutes, {
    vault: options.vault,
    reads: options.store.reads,
    auth: options.auth,
    ...(options.kickOutbox ? { kickOutbox: options.kickOutbox } : {}),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
  });
  await app.register(privacyFormsRoutes, { vault: options.vault, ...(options.kickOutbox ? { kickOutbox: options.kickOutbox } : {}) });
  await app.register(sdkRoutes, { declaration: () => options.vault.declaration });
  await app.register(consoleRoutes);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.ready();
  return app;
}
