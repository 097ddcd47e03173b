/** Recipients' webhook endpoints: signed notices of erasures and corrections. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { confirmRecipientTask } from '../requests/confirm-system-task.js';
import type { VaultContext } from '../vault/vault-context.js';
import { listWebhookDeliveries } from '../webhooks/list-deliveries.js';
import { listWebhooks, registerWebhook, removeWebhook } from '../webhooks/register-webhook.js';
import { listRecipientTasks } from '../webhooks/recipient-tasks.js';
import { recipientTaskIdPattern, webhookEndpointIdPattern } from '../webhooks/webhook-ids.js';
import { auditActorOfRequest, type Auth } from './auth.js';
import { DeliverySchema, RecipientTaskSchema, WebhookSchema } from './staff-schemas.js';

const WebhookBody = z.strictObject({
  recipient: z.string().min(1).max(64).describe('a declared recipient id'),
  url: z.string().min(1).max(2000).describe('http(s) URL the signed notices are POSTed to'),
});

export const webhooksRoutes: FastifyPluginAsyncZod<{ vault: VaultContext; auth: Auth }> = async (app, { vault, auth }) => {

  app.post(
    '/v1/webhooks',
    {
      onRequest: auth.requirePermission('webhooks:manage'),
      schema: { summary: 'Register a recipient’s endpoint; the signing secret is returned once', tags: ['webhooks'], body: WebhookBody },
    },
    async (request, reply) => reply.code(201).send(await registerWebhook(vault, { ...request.body, actor: auditActorOfRequest(request) })),
  );

  app.get(
    '/v1/webhooks',
    {
      onRequest: auth.requirePermission('webhooks:manage'),
      schema: { summary: 'Registered endpoints (secrets are never shown again)', tags: ['webhooks'], querystring: z.strictObject({ removed: z.enum(['true', 'false']).default('false') }), response: { 200: z.object({ webhooks: z.array(WebhookSchema) }) } },
    },
    async (request) => ({ webhooks: await listWebhooks(vault, { includeRemoved: request.query.removed === 'true' }) }),
  );

  app.get(
    '/v1/webhooks/deliveries',
    {
      onRequest: auth.requirePermission('webhooks:manage'),
      schema: {
        summary: 'Recent deliveries with every attempt (time, status code or error, next attempt)',
        tags: ['webhooks'],
        querystring: z.strictObject({ webhook: z.string().regex(webhookEndpointIdPattern, 'must be a webhook id (whk_ followed by 22 characters)').optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: { 200: z.object({ deliveries: z.array(DeliverySchema) }) },
      },
    },
    async (request) => ({ deliveries: await listWebhookDeliveries(vault.db, { ...(request.query.webhook ? { endpointId: request.query.webhook } : {}), limit: request.query.limit }) }),
  );

  app.delete(
    '/v1/webhooks/:id',
    {
      onRequest: auth.requirePermission('webhooks:manage'),
      schema: { summary: 'Remove an endpoint; its pending deliveries are cancelled', tags: ['webhooks'], params: z.strictObject({ id: z.string().regex(webhookEndpointIdPattern, 'must be a webhook id (whk_ followed by 22 characters)') }) },
    },
    async (request) => removeWebhook(vault, { id: request.params.id, actor: auditActorOfRequest(request) }),
  );

  app.get(
    '/v1/recipient-tasks',
    {
      onRequest: auth.requirePermission('webhooks:manage'),
      schema: {
        summary: 'Erasures and corrections staff must pass on to recipients that registered no webhook, oldest first',
        tags: ['webhooks'],
        querystring: z.strictObject({ status: z.enum(['open', 'done']).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
        response: { 200: z.object({ tasks: z.array(RecipientTaskSchema) }) },
      },
    },
    async (request) => ({
      tasks: await listRecipientTasks(vault.db, { limit: request.query.limit, ...(request.query.status ? { status: request.query.status } : {}) }),
    }),
  );

  app.post(
    '/v1/recipient-tasks/:id/done',
    {
      onRequest: auth.requirePermission('webhooks:manage'),
      schema: {
        summary: 'Close a task: the recipient was told',
        tags: ['webhooks'],
        params: z.strictObject({ id: z.string().regex(recipientTaskIdPattern, 'must be a recipient task id (rtk_ followed by 22 characters)') }),
      },
    },
    async (request) => confirmRecipientTask(vault, { id: request.params.id, actor: auditActorOfRequest(request) }),
  );
};
