/** The breach register (GDPR art. 33(5)): record, read, draft the notices, tell the people affected, mark the authority notified, close. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { draftNotices, notifyBreachSubjects } from '../breaches/breach-notices.js';
import { breachRisks, listBreaches, markBreach, recordBreach, showBreach } from '../breaches/breach-register.js';
import { subjectIdPattern } from '../vault/ids.js';
import type { VaultContext } from '../vault/vault-context.js';
import { auditActorOfRequest, type Auth } from './auth.js';
import { BreachSchema, NoticeDraftSchema } from './staff-schemas.js';

const Words = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const When = z.iso.datetime({ offset: true, error: 'must be a date and time such as 2026-12-01T09:30:00Z' });

const BreachBody = z.strictObject({
  title: Words(200),
  description: Words(5000).describe('what happened'),
  beganAt: When,
  discoveredAt: When.describe('when the organization became aware: the clocks run from here'),
  risk: z.enum(breachRisks).describe('high: the people affected must be told (GDPR art. 34)'),
  categories: z.array(z.string().min(1).max(64)).min(1).max(50).describe('the declared data categories affected'),
  subjects: z
    .strictObject({
      ids: z.array(z.string().regex(subjectIdPattern, 'must be a subject id')).max(100_000).optional(),
      withCategory: z.string().min(1).max(64).optional().describe('everyone holding records of this declared category'),
    })
    .default({}),
  consequences: Words(5000).describe('the likely consequences for the people affected'),
  measures: Words(5000).describe('the measures taken or proposed'),
});
const BreachParams = z.strictObject({ id: z.string().regex(/^brc_[A-Za-z0-9_-]{22}$/, 'must be a breach id (brc_ followed by 22 characters)') });

export const breachesRoutes: FastifyPluginAsyncZod<{ vault: VaultContext; auth: Auth }> = async (app, { vault, auth }) => {
  app.post(
    '/v1/breaches',
    { onRequest: auth.requirePermission('breaches:manage'), schema: { summary: 'Record a personal data breach; its clocks run from discovery', tags: ['breaches'], body: BreachBody, response: { 201: BreachSchema } } },
    async (request, reply) => reply.code(201).send(await recordBreach(vault, { ...request.body, actor: auditActorOfRequest(request) })),
  );

  app.get(
    '/v1/breaches',
    { onRequest: auth.requirePermission('breaches:read'), schema: { summary: 'The register of breaches, newest discovery first, with each clock', tags: ['breaches'], response: { 200: z.object({ breaches: z.array(BreachSchema) }) } } },
    async () => ({ breaches: await listBreaches(vault) }),
  );

  app.get(
    '/v1/breaches/:id',
    { onRequest: auth.requirePermission('breaches:read'), schema: { summary: 'One breach, with its clocks', tags: ['breaches'], params: BreachParams, response: { 200: BreachSchema } } },
    async (request) => showBreach(vault, request.params.id),
  );

  app.get(
    '/v1/breaches/:id/notices',
    { onRequest: auth.requirePermission('breaches:read'), schema: { summary: 'Drafts of the notices to the supervisory authority and to the people affected', tags: ['breaches'], params: BreachParams, response: { 200: z.object({ authority: NoticeDraftSchema, subjects: NoticeDraftSchema }) } } },
    async (request) => draftNotices(vault, await showBreach(vault, request.params.id)),
  );

  app.post(
    '/v1/breaches/:id/notify-subjects',
    { onRequest: auth.requirePermission('breaches:manage'), schema: { summary: 'Send the people affected their notice through the outbox, once', tags: ['breaches'], params: BreachParams } },
    async (request) => notifyBreachSubjects(vault, { id: request.params.id, actor: auditActorOfRequest(request) }),
  );

  app.post(
    '/v1/breaches/:id/authority-notified',
    {
      onRequest: auth.requirePermission('breaches:manage'),
      schema: {
        summary: 'Mark the supervisory authority notified (through its own channel), with its reference',
        tags: ['breaches'],
        params: BreachParams,
        body: z.strictObject({ reference: z.string().trim().min(1).max(200).optional() }).default({}),
      },
    },
    async (request) => markBreach(vault, { id: request.params.id, step: 'authority-notified', ...(request.body.reference !== undefined ? { reference: request.body.reference } : {}), actor: auditActorOfRequest(request) }),
  );

  app.post(
    '/v1/breaches/:id/close',
    { onRequest: auth.requirePermission('breaches:manage'), schema: { summary: 'Close a breach: it stays in the register', tags: ['breaches'], params: BreachParams } },
    async (request) => markBreach(vault, { id: request.params.id, step: 'closed', actor: auditActorOfRequest(request) }),
  );
};
