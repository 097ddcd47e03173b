/** Policy versions a subject was told of and accepted, and explicit acceptance. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { acceptPolicy } from '../policy-notices/accept-policy.js';
import { subjectPolicyStatus } from '../policy-notices/subject-policy-status.js';
import { subjectIdPattern } from '../vault/ids.js';
import type { VaultContext } from '../vault/vault-context.js';
import { auditActorOfRequest, type Auth } from './auth.js';

const SubjectParams = z.strictObject({ id: z.string().regex(subjectIdPattern, 'must be a subject id (sub_ followed by 22 characters)') });
const Method = z.enum(['explicit', 'continued-use']);

export const policyNoticesRoutes: FastifyPluginAsyncZod<{ vault: VaultContext; auth: Auth }> = async (app, { vault, auth }) => {
  app.post(
    '/v1/subjects/:id/policy/accept',
    {
      onRequest: auth.requirePermission('accounts:update'),
      schema: {
        summary: 'Record that the subject explicitly accepted a policy version',
        tags: ['policy'],
        params: SubjectParams,
        body: z.strictObject({ version: z.number().int().positive().max(2 ** 31 - 1) }),
        response: {
          200: z.object({ subjectId: z.string(), version: z.number().int(), method: Method, acceptedAt: z.string(), actor: z.string(), purposes: z.array(z.string()) }),
        },
      },
    },
    async (request) => {
      return acceptPolicy(vault, { subjectId: request.params.id, version: request.body.version, actor: auditActorOfRequest(request) });
    },
  );

  app.get(
    '/v1/subjects/:id/policy',
    {
      onRequest: auth.requirePermission('accounts:read'),
      schema: {
        summary: 'The policy versions the subject was told of and accepted: how and when',
        tags: ['policy'],
        params: SubjectParams,
        response: {
          200: z.object({
            subjectId: z.string(),
            currentVersion: z.number().int().nullable(),
            acceptanceRule: Method,
            versions: z.array(
              z.object({
                version: z.number().int(),
                material: z.boolean(),
                publishedAt: z.string(),
                notifiedAt: z.string().nullable(),
                accepted: z
                  .object({ method: Method, at: z.string(), by: z.string(), purposes: z.array(z.string()), notCovered: z.array(z.string()) })
                  .nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => subjectPolicyStatus(vault, request.params.id),
  );
};
