/**
 * Technical information over HTTP: the SDK's batches of events (JSON, or text/plain as
 * `navigator.sendBeacon` sends it), and the ingestion counters for Prometheus.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { countryOf } from '../collect/country.js';
import { dropReasons } from '../collect/event.js';
import { ingestEvents } from '../collect/ingest-events.js';
import type { Ingestor } from '../collect/ingestor.js';
import type { EventMetrics } from '../collect/metrics.js';
import { deviceHeadersOf } from '../collect/parse-device.js';
import { readSignals } from '../consent/signals.js';
import { visitorIdPattern } from '../consent/visitor-id.js';
import { VowError } from '../errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './safe-input.js';

export const MAX_EVENTS_PER_REQUEST = 50;

const Text = (max: number) => z.string().min(1).max(max);

const EventBody = z.strictObject({
  category: Text(64).describe('a declared data category of kind technical: usage-data, log-data, device-information, analytics…'),
  name: Text(64).describe('page_view, feature, action, request…'),
  occurredAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional().describe("the client's clock; ignored when more than a day off"),
  path: z.string().max(2048).optional().describe('the page path; the query string and fragment are dropped before storing'),
  features: z.array(Text(64)).max(20).optional(),
  action: Text(64).optional(),
  timeZone: Text(64).optional().describe('IANA time zone, e.g. Europe/Paris'),
  method: z.string().regex(/^[A-Z]{1,16}$/, 'must be an HTTP method such as GET').optional().describe('log data: the request method'),
  status: z.number().int().min(100).max(599).optional().describe('log data: the response status'),
});

const EventsBody = z.strictObject({
  visitorId: z.string().regex(visitorIdPattern, 'must be a visitor id (vis_ followed by 22 characters)'),
  events: z.array(EventBody).min(1).max(MAX_EVENTS_PER_REQUEST, `at most ${MAX_EVENTS_PER_REQUEST} events per request`),
});

const Count = z.number().int();
const EventsResponse = z.object({
  accepted: Count,
  dropped: z.object(Object.fromEntries(dropReasons.map((reason) => [reason, Count])) as Record<(typeof dropReasons)[number], typeof Count>),
  undeclaredFields: z.array(z.string()).describe('category.field of each field an event carried that its category does not collect; those events were dropped'),
});

export interface EventsRouteOptions {
  /** Created once per server (`createIngestor`). */
  ingestor: Ingestor;
  /** The registry the ingestor counts into (`createEventMetrics`), served at `GET /metrics`. */
  metrics: EventMetrics;
  /** `Config.countryHeader`. */
  countryHeader: string | undefined;
  /** The per-address limit of `POST /v1/events`; false only for benchmarks. */
  rateLimit: boolean;
}

/** Generous: a page sends a beacon per page hide, and a whole office may share one address. */
const eventsLimit = { rateLimit: { max: 1200, timeWindow: '1 minute' } };
const BODY_LIMIT = 256 * 1024;

/** A text/plain body (sendBeacon) holds the same JSON as an application/json one. */
async function jsonFromText(request: FastifyRequest): Promise<void> {
  if (typeof request.body !== 'string') return;
  if (request.body.trim() === '') throw new VowError('bad_request', 'request body is empty');
  if (nestsDeeperThan(request.body, MAX_JSON_DEPTH)) throw new VowError('bad_request', `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    request.body = JSON.parse(request.body) as unknown;
  } catch {
    throw new VowError('bad_request', 'request body is not valid JSON');
  }
}

export const eventsRoutes: FastifyPluginAsyncZod<EventsRouteOptions> = async (app, { ingestor, metrics, countryHeader, rateLimit }) => {
  app.post(
    '/v1/events',
    {
      config: rateLimit ? eventsLimit : {},
      // A beacon's answer is never rendered: page-security headers (CSP, frame options…) only
      // cost time here (a tenth of a single event's), and nosniff is set below.
      helmet: false,
      // One access-log pair per page view of every visitor would be most of a busy server's
      // log and a sizeable share of its CPU; the volume is in the Prometheus counters, and
      // failures are still logged (5xx at error level).
      logLevel: 'warn',
      // The answer is built by ingestEvents, typed by EventsResponse at compile time; checking
      // it again with zod on every request (the type provider's serializer) only costs time.
      serializerCompiler: () => (data) => JSON.stringify(data),
      bodyLimit: BODY_LIMIT,
      preValidation: jsonFromText,
      schema: {
        summary: 'Send a batch of events (JSON or text/plain); those without consent are dropped and counted',
        description:
          'Each event is stored only when the visitor consented to a cookie category that collects its category (or a strictly necessary one does) ' +
          'and no honored Sec-GPC / DNT signal opts out of it. Answers how many were stored and why the others were not.',
        tags: ['events'],
        body: EventsBody,
        response: { 202: EventsResponse },
      },
    },
    async (request, reply) => {
      const { userAgent, hints, language } = deviceHeadersOf(request.headers);
      const result = await ingestEvents(ingestor, {
        visitorId: request.body.visitorId,
        events: request.body.events,
        signals: readSignals(request.headers),
        request: { ip: request.ip, userAgent, hints, language, country: countryOf(request.headers, countryHeader) },
        now: new Date(),
      });
      return reply.code(202).header('x-content-type-options', 'nosniff').send(result);
    },
  );

  // Unauthenticated, as Prometheus scrapes: counters by category and reason, and process figures; nothing about anyone.
  app.get('/metrics', { schema: { summary: 'Ingestion counters in the Prometheus text format', tags: ['events'] } }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.render()),
  );
};
