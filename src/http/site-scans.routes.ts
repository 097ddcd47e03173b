/** `GET /v1/site/scans`: the latest `vow scan` reports of the live site and their drift, for the console. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { driftKinds } from '../scan/find-site-drift.js';
import { latestSiteScans } from '../scan/site-scans.js';
import type { Database } from '../store/schema.js';
import type { Auth } from './auth.js';

const DriftSchema = z.object({
  kind: z.enum(driftKinds),
  subject: z.string(),
  pass: z.string().optional(),
  page: z.string().optional(),
  setBy: z.string().optional(),
  declaredAs: z.string().optional(),
  message: z.string(),
});

export const siteScansRoutes: FastifyPluginAsyncZod<{ db: Kysely<Database>; auth: Auth }> = async (app, { db, auth }) => {
  app.get(
    '/v1/site/scans',
    {
      onRequest: auth.requirePermission('policy:read-admin'),
      schema: {
        summary: 'The latest scans of the live site (`vow scan`), newest first, with their drift from the declaration',
        tags: ['policy'],
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(10) }),
        response: {
          200: z.object({
            scans: z.array(z.object({ id: z.string(), site: z.string(), scannedAt: z.string(), pages: z.number(), failed: z.boolean(), drift: z.array(DriftSchema), policyVersion: z.number().nullable() })),
          }),
        },
      },
    },
    async (request) => ({ scans: await latestSiteScans(db, request.query.limit) }),
  );
};
