/** Staff erasure of a subject, its proofs, and legal holds. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eraseSubject } from '../erasure/erase-subject.js';
import { erasuresOfSubject } from '../erasure/erasure.repository.js';
import { listHolds, placeHold, releaseHold, type LegalHold } from '../erasure/legal-holds.js';
import { subjectIdPattern } from '../vault/ids.js';
import type { VaultContext } from '../vault/vault-context.js';
import { holdIdPattern } from '../webhooks/webhook-ids.js';
import { auditActorOfRequest, type Auth } from './auth.js';

const SubjectParams = z.strictObject({ id: z.string().regex(subjectIdPattern, 'must be a subject id (sub_ followed by 22 characters)') });
const EraseBody = z
  .strictObject({
    reason: z.enum(['admin', 'request', 'child']).default('admin'),
    requestId: z.string().min(1).max(64).optional(),
  })
  .default({ reason: 'admin' });
const HoldBody = z.strictObject({
  reason: z.string().trim().min(1).max(2000).describe('why the data must be kept; stored encrypted, audited as a hash'),
  categories: z.array(z.string().min(1).max(64)).min(1).max(50).optional().describe('the held categories; all of them when absent'),
});

const HoldSchema = z.object({
  id: z.string(),
  subjectId: z.string(),
  reason: z.string(),
  categories: z.array(z.string()).nullable(),
  source: z.string(),
  disclosureId: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  releasedAt: z.string().nullable(),
  releasedBy: z.string().nullable(),
});

const holdView = (hold: LegalHold) => ({
  id: hold.id,
  subjectId: hold.subjectId,
  reason: hold.reason,
  categories: hold.categories,
  source: hold.source,
  disclosureId: hold.disclosureId,
  createdAt: hold.createdAt,
  createdBy: hold.createdBy,
  releasedAt: hold.releasedAt,
  releasedBy: hold.releasedBy,
});

export const erasureRoutes: FastifyPluginAsyncZod<{ vault: VaultContext; auth: Auth }> = async (app, { vault, auth }) => {

  app.post(
    '/v1/subjects/:id/erase',
    {
      onRequest: auth.requirePermission('erasure:run'),
      schema: {
        summary: 'Erase a subject from every table, destroy its data key, notify recipients; a legal hold keeps what it holds',
        tags: ['erasure'],
        params: SubjectParams,
        body: EraseBody,
        response: {
          200: z.object({ subjectId: z.string(), erasedAt: z.string(), erased: z.boolean(), heldCategories: z.array(z.string()), recipientsNotified: z.array(z.string()), recipientsToldByStaff: z.array(z.string()) }),
        },
      },
    },
    async (request) => {
      const body = request.body;
      return eraseSubject(vault, {
        subjectId: request.params.id,
        actor: auditActorOfRequest(request),
        reason: body.reason,
        ...(body.requestId ? { requestId: body.requestId } : {}),
      });
    },
  );

  app.get(
    '/v1/subjects/:id/erasures',
    {
      onRequest: auth.requirePermission('erasure:run'),
      schema: { summary: 'The proofs of erasure of a subject: times, counts per table, no personal data', tags: ['erasure'], params: SubjectParams },
    },
    async (request) => ({ subjectId: request.params.id, erasures: await erasuresOfSubject(vault.db, request.params.id) }),
  );

  app.post(
    '/v1/subjects/:id/holds',
    {
      onRequest: auth.requirePermission('holds:manage'),
      schema: { summary: 'Place a legal hold: the data (or the listed categories) is kept from erasure and retention', tags: ['erasure'], params: SubjectParams, body: HoldBody, response: { 201: HoldSchema } },
    },
    async (request, reply) => {
      const hold = await placeHold(vault, {
        subjectId: request.params.id,
        reason: request.body.reason,
        categories: request.body.categories,
        actor: auditActorOfRequest(request),
      });
      return reply.code(201).send(holdView(hold));
    },
  );

  app.get(
    '/v1/subjects/:id/holds',
    {
      onRequest: auth.requirePermission('holds:manage'),
      schema: { summary: 'The legal holds on a subject, active and released', tags: ['erasure'], params: SubjectParams, response: { 200: z.object({ subjectId: z.string(), holds: z.array(HoldSchema) }) } },
    },
    async (request) => ({ subjectId: request.params.id, holds: (await listHolds(vault, request.params.id)).map(holdView) }),
  );

  app.delete(
    '/v1/holds/:id',
    {
      onRequest: auth.requirePermission('holds:manage'),
      schema: { summary: 'Release a legal hold; an erasure it kept back is finished', tags: ['erasure'], params: z.strictObject({ id: z.string().regex(holdIdPattern, 'must be a hold id (hold_ followed by 22 characters)') }) },
    },
    async (request) => releaseHold(vault, { holdId: request.params.id, actor: auditActorOfRequest(request) }),
  );
};
