/**
 * Aggregated statistics with differential privacy: releases charged to a privacy budget,
 * and the stored releases published as they were released (never recomputed).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { VowError } from '../errors.js';
import type { RandomSource } from '../stats/random-source.js';
import { datasets, ReleaseQuerySchema } from '../stats/release-query.js';
import { budgetState, releaseFromRow, releaseStatistics } from '../stats/release-statistics.js';
import { findRelease, listBudgets, listReleases } from '../stats/stats.repository.js';
import type { Database } from '../store/schema.js';
import type { VaultContext } from '../vault/vault-context.js';
import { auditActorOfRequest, type Auth } from './auth.js';

const ReleaseId = z.string().regex(/^rel_[A-Za-z0-9_-]{22}$/, 'must be a release id (rel_ followed by 22 characters)');

export interface StatsRoutesOptions {
  /** Where the published releases are listed from: a replica may lag a few seconds, and releases never change. */
  reads?: Kysely<Database>;
  db: Kysely<Database>;
  /** Its declaration is the one in force at each request. */
  vault: VaultContext;
  auth: Auth;
  /** Tests pass a seeded source; releases otherwise use `cryptoRandomSource()`. */
  rng?: RandomSource;
}

export const statsRoutes: FastifyPluginAsyncZod<StatsRoutesOptions> = async (app, { db, reads = db, vault, auth, rng }) => {
  // Published statistics are public while the declaration in force says aggregated information is published.
  const mayRelease = auth.requirePermission('stats:release');
  const readPublished = async (request: FastifyRequest, reply: FastifyReply) => {
    if (vault.declaration.aggregation?.publish !== true) await mayRelease(request, reply);
  };

  app.post(
    '/v1/stats',
    {
      onRequest: auth.requirePermission('stats:release'),
      schema: {
        summary: 'Release counts by dimensions with differential privacy, charged to the data set’s privacy budget',
        tags: ['stats'],
        body: ReleaseQuerySchema,
      },
    },
    async (request, reply) => {
      const release = await releaseStatistics(db, { query: request.body, declaration: vault.declaration, actor: auditActorOfRequest(request), ...(rng ? { rng } : {}) });
      return reply.code(201).send(release);
    },
  );

  app.get(
    '/v1/stats/published',
    {
      onRequest: readPublished,
      schema: {
        summary: 'Released statistics, newest first, exactly as released',
        tags: ['stats'],
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50), before: ReleaseId.optional() }),
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      let cursor: { createdAt: string; id: string } | undefined;
      if (before !== undefined) {
        const from = await findRelease(reads, before);
        if (!from) throw new VowError('not_found', `no release ${before}`);
        cursor = { createdAt: from.createdAt, id: from.id };
      }
      const rows = await listReleases(reads, { limit, ...(cursor ? { before: cursor } : {}) });
      return { releases: rows.map(releaseFromRow) };
    },
  );

  app.get(
    '/v1/stats/published/:id',
    {
      onRequest: readPublished,
      schema: { summary: 'One released table of statistics, exactly as released', tags: ['stats'], params: z.strictObject({ id: ReleaseId }) },
    },
    async (request) => {
      const row = await findRelease(db, request.params.id);
      if (!row) throw new VowError('not_found', `no release ${request.params.id}`);
      return releaseFromRow(row);
    },
  );

  app.get(
    '/v1/stats/budget',
    {
      onRequest: auth.requirePermission('stats:release'),
      schema: { summary: 'The privacy budget (epsilon) of each data set: total, spent and remaining', tags: ['stats'] },
    },
    async () => {
      const stored = new Map((await listBudgets(db)).map((row) => [row.dataset, row]));
      return { budgets: datasets.map((dataset) => budgetState(dataset, stored.get(dataset), vault.declaration)) };
    },
  );
};
