/**
 * The server hook for log data: the site's web servers (keys of role `site`) forward the
 * requests visitors made to the site. Entries are checked at the boundary; what becomes
 * of each is decided by event ingestion (collect/ingest-request-logs.ts).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dropReasons } from '../collect/event.js';
import { ingestRequestLogs } from '../collect/ingest-request-logs.js';
import type { Ingestor } from '../collect/ingestor.js';
import { preferredLanguage } from '../collect/parse-device.js';
import { visitorIdPattern } from '../consent/visitor-id.js';
import type { Auth } from './auth.js';

export const MAX_LOG_ENTRIES = 500;

const Hint = z.string().max(256).optional();
const Entry = z.strictObject({
  visitorId: z.string().regex(visitorIdPattern, 'must be a visitor id (vis_ followed by 22 characters)').describe('from the request’s vow_consent cookie'),
  at: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
  method: z.string().regex(/^[A-Z]{1,16}$/, 'must be an HTTP method such as GET'),
  path: z.string().min(1).max(2048).describe('the query string and fragment are dropped before storing'),
  status: z.number().int().min(100).max(599),
  ip: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).describe('only its truncation is kept'),
  userAgent: z.string().max(512).optional(),
  hints: z.strictObject({ ua: Hint, platform: Hint, mobile: Hint, model: Hint }).optional().describe('the Sec-CH-UA, -Platform, -Mobile and -Model headers as sent'),
  acceptLanguage: z.string().max(256).optional().describe('the Accept-Language header: its first language is kept'),
  signals: z.strictObject({ gpc: z.boolean().optional(), dnt: z.boolean().optional() }).optional().describe('Sec-GPC: 1 and DNT: 1 on the request'),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code').optional(),
});
const Body = z.strictObject({ entries: z.array(Entry).min(1).max(MAX_LOG_ENTRIES, `at most ${MAX_LOG_ENTRIES} entries per request`) });
const Count = z.number().int();
const Response = z.object({
  accepted: Count.describe('events stored: a request event per entry, and a device event per visitor and set of headers'),
  dropped: z.object(Object.fromEntries(dropReasons.map((reason) => [reason, Count])) as Record<(typeof dropReasons)[number], typeof Count>),
});

export const logsRoutes: FastifyPluginAsyncZod<{ ingestor: Ingestor; auth: Auth }> = async (app, { ingestor, auth }) => {
  app.post(
    '/v1/logs',
    {
      onRequest: auth.requirePermission('logs:write'),
      bodyLimit: 1024 * 1024,
      schema: {
        summary: "Forward the site's request log: log data and device information of known visitors, as the declaration and their signals allow",
        tags: ['events'],
        body: Body,
        response: { 202: Response },
      },
    },
    async (request, reply) => {
      const entries = request.body.entries.map(({ acceptLanguage, ...entry }) => ({ ...entry, language: preferredLanguage(acceptLanguage) }));
      const { accepted, dropped } = await ingestRequestLogs(ingestor, entries, new Date());
      return reply.code(202).send({ accepted, dropped });
    },
  );
};
