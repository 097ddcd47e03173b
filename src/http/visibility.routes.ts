/** Other users (section 3): each subject's setting of what they see, and what they see. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readVisibility, setVisibility } from '../disclosures/set-visibility.js';
import { showToOtherUsers } from '../disclosures/show-to-other-users.js';
import { subjectIdPattern } from '../vault/ids.js';
import type { VaultContext } from '../vault/vault-context.js';
import { auditActorOfRequest, type Auth } from './auth.js';

const Params = z.strictObject({ id: z.string().regex(subjectIdPattern, 'must be a subject id (sub_ followed by 22 characters)') });
const FieldName = z.string().min(3).max(130).describe('category.field, e.g. account.name');
const VisibilityBody = z.strictObject({ fields: z.array(FieldName).max(200).describe('every field other users may see; [] shows nothing') });
const VisibilityResponse = z.object({
  subjectId: z.string(),
  fields: z.array(z.string()),
  isDefault: z.boolean().describe('true while the subject has not chosen: the declaration’s default applies'),
  choices: z.array(z.string()),
  updatedAt: z.string().nullable(),
});
const PublicResponse = z.object({
  subjectId: z.string(),
  fields: z.record(z.string(), z.string()),
  disclosureId: z.string().nullable().describe('the disclosure accounting for this showing, or null when nothing was shown'),
});

export const visibilityRoutes: FastifyPluginAsyncZod<{ vault: VaultContext; auth: Auth }> = async (app, { vault, auth }) => {
  app.get(
    '/v1/subjects/:id/visibility',
    {
      onRequest: auth.requirePermission('accounts:update'),
      schema: { summary: 'Which of this subject’s fields other users see', tags: ['disclosures'], params: Params, response: { 200: VisibilityResponse } },
    },
    async (request) => readVisibility(vault, request.params.id),
  );

  app.put(
    '/v1/subjects/:id/visibility',
    {
      onRequest: auth.requirePermission('accounts:update'),
      bodyLimit: 32 * 1024,
      schema: { summary: 'Set which of this subject’s fields other users see (the subject’s choice)', tags: ['disclosures'], params: Params, body: VisibilityBody, response: { 200: VisibilityResponse } },
    },
    async (request) => {
      return setVisibility(vault, { subjectId: request.params.id, fields: request.body.fields, actor: auditActorOfRequest(request) });
    },
  );

  app.get(
    '/v1/subjects/:id/public',
    {
      onRequest: auth.requirePermission('accounts:read'),
      schema: {
        summary: 'What other users see of this subject: only its visible fields, accounted for as a disclosure to other users',
        tags: ['disclosures'],
        params: Params,
        response: { 200: PublicResponse },
      },
    },
    async (request) => {
      return showToOtherUsers(vault, { subjectId: request.params.id, actor: auditActorOfRequest(request) });
    },
  );
};
