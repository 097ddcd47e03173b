/**
 * Publishing a declaration from the console: a preview (every problem, the changes against
 * the version in force, the page and the banner it would give), then the publication
 * itself, with the material flag. Admin and privacy-officer only (`policy:publish`).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { previewDeclaration, publishDeclarationText } from '../policy/publish-from-text.js';
import type { VaultContext } from '../vault/vault-context.js';
import { auditActorOfRequest, type Auth } from './auth.js';
import { BannerResponse } from './consent.routes.js';

/** Twelve times the reference declaration: room to grow, and a bound on what one parse may cost. */
const DECLARATION_LIMIT = 256 * 1024;
const DeclarationBody = z.strictObject({
  declaration: z.string().min(1, 'must not be empty').max(DECLARATION_LIMIT).describe('the whole vow.policy.yaml, as text'),
  material: z.boolean().default(false).describe('a material change: subjects are told, and asked again where consent was given'),
});
const ProblemSchema = z.object({ path: z.string(), message: z.string(), line: z.number().optional(), column: z.number().optional() });
const VersionSchema = z.object({ number: z.number(), hash: z.string(), publishedAt: z.string(), material: z.boolean() });

export const policyPublishingRoutes: FastifyPluginAsyncZod<{ vault: VaultContext; auth: Auth }> = async (app, { vault, auth }) => {
  const limits = { onRequest: auth.requirePermission('policy:publish'), bodyLimit: DECLARATION_LIMIT + 4096 };

  app.post(
    '/v1/policy/preview',
    {
      ...limits,
      schema: {
        summary: 'What publishing this declaration would do: its problems, the changes, the page and the banner; nothing is stored',
        tags: ['policy'],
        body: DeclarationBody,
        response: {
          200: z.object({
            ok: z.boolean(),
            problems: z.array(ProblemSchema),
            warnings: z.array(ProblemSchema),
            changes: z.array(z.object({ kind: z.enum(['added', 'removed', 'changed']), path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() })).optional(),
            unchanged: z.boolean().optional().describe('the content is that of the version in force'),
            page: z.string().optional().describe('the policy page, as HTML'),
            banner: BannerResponse.pick({ strings: true, categories: true }).optional(),
          }),
        },
      },
    },
    async (request) => previewDeclaration(vault.db, request.body.declaration, { material: request.body.material }),
  );

  app.post(
    '/v1/policy/versions',
    {
      ...limits,
      schema: {
        summary: 'Publish a declaration as the next version; every running server enforces it as soon as it sees it',
        tags: ['policy'],
        body: DeclarationBody,
        response: { 200: z.object({ published: z.boolean(), version: VersionSchema, older: VersionSchema.optional() }), 201: z.object({ published: z.literal(true), version: VersionSchema }) },
      },
    },
    async (request, reply) => {
      const outcome = await publishDeclarationText(vault.db, { text: request.body.declaration, material: request.body.material, actor: auditActorOfRequest(request) });
      return outcome.published ? reply.code(201).send({ published: true, version: outcome.version }) : reply.code(200).send(outcome);
    },
  );
};
