/** Imports of exports from the company's social-media pages. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { importSocial } from '../vault/import-social.js';
import { listSocialAggregates } from '../vault/social-aggregates.repository.js';
import { interactionKinds, parseSocialExport, platforms } from '../vault/social/parse-social-export.js';
import type { VaultContext } from '../vault/vault-context.js';
import { auditActorOfRequest, type Auth } from './auth.js';

const IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

export const socialRoutes: FastifyPluginAsyncZod<{ vault: VaultContext; auth: Auth }> = async (app, { vault, auth }) => {
  app.post(
    '/v1/social/imports',
    {
      onRequest: auth.requirePermission('social:import'),
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        summary: 'Import interactions and aggregate analytics exported from a social-media page (JSON or text/csv)',
        tags: ['vault'],
        querystring: z.strictObject({ platform: z.enum(platforms).optional(), kind: z.enum(interactionKinds).optional() }),
        body: z.union([z.string(), z.record(z.string(), z.unknown())]),
        response: {
          201: z.object({ importId: z.string(), interactions: z.number(), subjects: z.number(), newSubjects: z.number(), aggregates: z.number() }),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const data = parseSocialExport({
        ...(typeof body === 'string' ? { content: body, format: 'csv' as const } : { content: JSON.stringify(body), format: 'json' as const }),
        ...(request.query.platform ? { platform: request.query.platform } : {}),
        ...(request.query.kind ? { kind: request.query.kind } : {}),
      });
      const result = await importSocial(vault, { data, actor: auditActorOfRequest(request) });
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/v1/social/aggregates',
    {
      onRequest: auth.requirePermission('social:import'),
      schema: {
        summary: 'The aggregate analytics the social platforms gave, per platform, metric and period (they name no one)',
        tags: ['vault'],
        querystring: z.strictObject({ platform: z.enum(platforms).optional() }),
        response: {
          200: z.object({ aggregates: z.array(z.object({ platform: z.string(), metric: z.string(), period: z.string(), value: z.number(), importedAt: z.string() })) }),
        },
      },
    },
    async (request) => ({ aggregates: await listSocialAggregates(vault.db, { platform: request.query.platform }) }),
  );
};
