/**
 * Data-subject requests over HTTP: filing (public, rate-limited; staff may file for a
 * known subject), verification by code, staff handling, the export download, the outbox.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditActorOf } from '../auth/actor.js';
import { canReadForPurpose } from '../auth/role.js';
import { VowError } from '../errors.js';
import { messageKinds, readOutbox } from '../outbox/outbox.js';
import { auditStaffRead, coversRequestHandling, maskSentSecrets, notForThisKey, withoutContents } from '../requests/staff-views.js';
import { approveRequest } from '../requests/approve-request.js';
import { completeRequest } from '../requests/complete-request.js';
import { confirmSystemTask } from '../requests/confirm-system-task.js';
import { denyRequest } from '../requests/deny-request.js';
import { downloadExport } from '../requests/download-export.js';
import { extendRequest } from '../requests/extend-request.js';
import { fileRequest } from '../requests/file-request.js';
import { pageDataSubjectRequests, showDataSubjectRequest } from '../requests/read-requests.js';
import { requestIdPattern, requestKinds, requestStatuses } from '../requests/request.js';
import { resendCode, verifyRequest } from '../requests/verify-request.js';
import { subjectIdPattern } from '../vault/ids.js';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { readingFrom, type VaultContext } from '../vault/vault-context.js';
import { actorOf, type Auth } from './auth.js';
import { decodeCursor, encodeCursor, PageAfter, PageLimit } from './page-cursor.js';
import { ListedRequestSchema, RequestDetailsSchema } from './staff-schemas.js';

export interface RequestsRouteOptions {
  vault: VaultContext;
  /** Where the queue is listed from (a replica may lag a few seconds); every action reads and writes the primary. */
  reads?: Kysely<Database>;
  auth: Auth;
  /** Starts mail delivery at once after a message is queued (when SMTP is configured). */
  kickOutbox?: () => void;
  /** The server's public origin, for whole links in mail. */
  publicUrl?: string;
}

const RequestId = z.strictObject({ id: z.string().regex(requestIdPattern, 'must be a request id (req_ followed by 22 characters)') });
const Email = z.email({ error: 'must be an e-mail address' }).max(254);
const Text = z.string().trim().min(1).max(5000);
const Jurisdiction = z
  .string()
  .regex(/^(gdpr|ccpa|[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?)$/, 'must be gdpr, ccpa or a region such as FR or US-CA')
  .describe('gdpr, ccpa, or where the requester lives (FR, US-CA)');
const Corrections = z.record(z.string().regex(/^[a-z][a-zA-Z0-9]{0,63}$/, 'must be a field name'), z.string().max(1000)).refine((fields) => Object.keys(fields).length <= 50, 'at most 50 fields');

const FileBody = z.strictObject({
  kind: z.enum(requestKinds),
  email: Email.optional(),
  details: Text.optional(),
  corrections: Corrections.optional(),
  jurisdiction: Jurisdiction.optional(),
  subjectId: z.string().regex(subjectIdPattern, 'must be a subject id (sub_ followed by 22 characters)').optional().describe('staff only'),
  verified: z.boolean().optional().describe('staff only: identity checked by other means'),
  verification: Text.optional().describe('staff only: how the identity was checked'),
});
const Filed = z.object({ id: z.string(), kind: z.enum(requestKinds), status: z.enum(requestStatuses), receivedAt: z.string(), message: z.string() });

/** Filing and verifying are public: limited per client address, per process, besides the per-address limits of the domain. */
const publicLimit = { rateLimit: { max: 10, timeWindow: '1 minute' } };
const BODY_LIMIT = 64 * 1024;
/** The queue's sort key: the deadline, then the id. */
const QueueKey = z.tuple([z.iso.datetime(), z.string().regex(requestIdPattern)]).transform(([dueAt, id]) => ({ dueAt, id }));
const staffRoles: readonly string[] = ['admin', 'privacy-officer'];

export const requestsRoutes: FastifyPluginAsyncZod<RequestsRouteOptions> = async (app, { vault, reads = vault.db, auth, kickOutbox, publicUrl }) => {
  const kick = () => kickOutbox?.();
  const requireStaff = async (request: FastifyRequest, reply: FastifyReply, permission: 'requests:manage') => {
    await auth.requirePermission(permission)(request, reply);
    return actorOf(request);
  };

  app.post(
    '/v1/requests',
    {
      config: publicLimit,
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: 'File a data-subject request (public; a code is sent to the address). Admin and privacy-officer keys may file for a known subject.',
        tags: ['requests'],
        body: FileBody,
        response: { 202: Filed },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const staffFields = body.subjectId !== undefined || body.verified !== undefined || body.verification !== undefined;
      let actor = 'public';
      if (staffFields) {
        const staff = await requireStaff(request, reply, 'requests:manage');
        if (!staffRoles.includes(staff.role)) throw new VowError('forbidden', 'only admin and privacy-officer keys may file for a subject');
        actor = auditActorOf(staff);
      }
      const filed = await fileRequest(vault, {
        kind: body.kind,
        ...(body.email !== undefined ? { email: body.email } : {}),
        ...(body.details !== undefined ? { details: body.details } : {}),
        ...(body.corrections ? { corrections: body.corrections } : {}),
        ...(body.jurisdiction !== undefined ? { jurisdiction: body.jurisdiction } : {}),
        ...(staffFields
          ? { staff: { verified: body.verified === true, ...(body.subjectId ? { subjectId: body.subjectId } : {}), ...(body.verification ? { verification: body.verification } : {}) } }
          : {}),
        actor,
      });
      kick();
      const message =
        filed.status === 'unverified'
          ? 'We sent a code to the address given; confirm the request with POST /v1/requests/{id}/verify.'
          : filed.status === 'completed'
            ? 'Done: a confirmation was sent to the address given.'
            : 'The request is open.';
      return reply.code(202).send({ ...filed, message });
    },
  );

  app.post(
    '/v1/requests/:id/verify',
    {
      config: publicLimit,
      bodyLimit: 1024,
      schema: {
        summary: 'Confirm a request with the code sent to the requester',
        tags: ['requests'],
        params: RequestId,
        body: z.strictObject({ code: z.string().regex(/^\s*\d{6}\s*$/, 'must be the 6-digit code') }),
        response: { 200: z.object({ id: z.string(), status: z.literal('open') }) },
      },
    },
    async (request) => verifyRequest(vault, { requestId: request.params.id, code: request.body.code }),
  );

  app.post(
    '/v1/requests/:id/code',
    {
      config: publicLimit,
      schema: { summary: 'Send a new verification code (at most 3 per request)', tags: ['requests'], params: RequestId, response: { 202: z.object({ id: z.string() }) } },
    },
    async (request, reply) => {
      await resendCode(vault, { requestId: request.params.id });
      kick();
      return reply.code(202).send({ id: request.params.id });
    },
  );

  app.get(
    '/v1/requests',
    {
      onRequest: auth.requirePermission('requests:read'),
      schema: {
        summary: 'Requests, soonest due first; `due=true`: pending ones due within 7 days or overdue',
        tags: ['requests'],
        querystring: z.strictObject({
          due: z.enum(['true', 'false']).optional(),
          status: z.enum(requestStatuses).optional(),
          subjectId: z.string().regex(subjectIdPattern).optional(),
          limit: PageLimit,
          after: PageAfter,
        }),
        response: { 200: z.object({ requests: z.array(ListedRequestSchema), next: z.string().nullable().describe('the `after` of the next page; null on the last') }) },
      },
    },
    async (request) => {
      const { limit, after } = request.query;
      const page = await pageDataSubjectRequests(readingFrom(vault, reads), {
        due: request.query.due === 'true',
        ...(request.query.status ? { status: request.query.status } : {}),
        ...(request.query.subjectId ? { subjectId: request.query.subjectId } : {}),
        ...(after !== undefined ? { after: decodeCursor(after, QueueKey) } : {}),
        limit,
      });
      return { requests: page.requests, next: page.next ? encodeCursor([page.next.dueAt, page.next.id]) : null };
    },
  );

  app.get(
    '/v1/requests/:id',
    { onRequest: auth.requirePermission('requests:read'), schema: { summary: 'One request, its contents decrypted, and its log', tags: ['requests'], params: RequestId, response: { 200: RequestDetailsSchema } } },
    async (request) => {
      const actor = actorOf(request);
      const shown = await showDataSubjectRequest(vault, request.params.id);
      if (!coversRequestHandling(vault.declaration, (purpose) => canReadForPurpose(actor, purpose))) return withoutContents(shown);
      await auditStaffRead(vault, { actor: auditActorOf(actor), target: `request:${shown.id}`, what: 'request contents' });
      return shown;
    },
  );

  const staffAction = { onRequest: auth.requirePermission('requests:manage'), bodyLimit: BODY_LIMIT };

  app.post(
    '/v1/requests/:id/approve',
    {
      ...staffAction,
      schema: { summary: 'Confirm the requester’s identity by other means and open the request', tags: ['requests'], params: RequestId, body: z.strictObject({ verification: Text }) },
    },
    async (request) => approveRequest(vault, { requestId: request.params.id, actor: auditActorOf(actorOf(request)), verification: request.body.verification }),
  );

  app.post(
    '/v1/requests/:id/deny',
    { ...staffAction, schema: { summary: 'Refuse a request; the reason is sent to the requester', tags: ['requests'], params: RequestId, body: z.strictObject({ reason: Text }) } },
    async (request) => {
      const result = await denyRequest(vault, { requestId: request.params.id, actor: auditActorOf(actorOf(request)), reason: request.body.reason });
      kick();
      return result;
    },
  );

  app.post(
    '/v1/requests/:id/extend',
    {
      ...staffAction,
      schema: { summary: 'Extend the deadline once, inside the first period; the reason is sent to the requester', tags: ['requests'], params: RequestId, body: z.strictObject({ reason: Text }) },
    },
    async (request) => {
      const result = await extendRequest(vault, { requestId: request.params.id, actor: auditActorOf(actorOf(request)), reason: request.body.reason });
      kick();
      return result;
    },
  );

  app.post(
    '/v1/requests/:id/complete',
    {
      ...staffAction,
      schema: {
        summary: 'Carry out a verified request (export, correction, erasure, opt-out, answer) and notify the requester',
        tags: ['requests'],
        params: RequestId,
        body: z.strictObject({ answer: Text.optional(), corrections: Corrections.optional() }).nullish(),
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const result = await completeRequest(vault, {
        requestId: request.params.id,
        actor: auditActorOf(actorOf(request)),
        ...(body.answer !== undefined ? { answer: body.answer } : {}),
        ...(body.corrections ? { corrections: body.corrections } : {}),
        ...(publicUrl ? { publicUrl } : {}),
      });
      kick();
      return result;
    },
  );

  app.post(
    '/v1/requests/:id/tasks/:taskId/done',
    {
      ...staffAction,
      schema: {
        summary: 'Confirm a task of the request done by other means (a declared system, or a recipient without a webhook told by staff), with the reason; the last task done completes the request',
        tags: ['requests'],
        params: z.strictObject({ id: RequestId.shape.id, taskId: z.string().regex(/^(stk_[A-Za-z0-9_-]{22}|rtk_[A-Za-z0-9_-]{22})$/, 'must be a task id (stk_ or rtk_ followed by 22 characters)') }),
        body: z.strictObject({ reason: Text }),
      },
    },
    async (request) => {
      const result = await confirmSystemTask(vault, { requestId: request.params.id, taskId: request.params.taskId, actor: auditActorOf(actorOf(request)), reason: request.body.reason });
      kick();
      return result;
    },
  );

  app.get(
    '/v1/requests/:id/export',
    {
      config: publicLimit,
      schema: {
        summary: 'Download an access export: once with the link token mailed to the requester, or by staff (requests:manage)',
        tags: ['requests'],
        params: RequestId,
        querystring: z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the token from the link').optional() }),
      },
    },
    async (request, reply) => {
      const { token } = request.query;
      const actor = token === undefined ? auditActorOf(await requireStaff(request, reply, 'requests:manage')) : 'public';
      const { zip, fileName } = await downloadExport(vault, { requestId: request.params.id, actor, ...(token !== undefined ? { token } : {}) });
      return reply.type('application/zip').header('content-disposition', `attachment; filename="${fileName}"`).header('cache-control', 'no-store').send(zip);
    },
  );

  app.get(
    '/v1/outbox',
    {
      onRequest: auth.requirePermission('outbox:read'),
      schema: {
        summary: 'Messages queued and sent, decrypted, newest first',
        tags: ['requests'],
        querystring: z.strictObject({ status: z.enum(['pending', 'sent', 'failed']).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
        response: {
          200: z.object({
            messages: z.array(
              z.object({
                id: z.string(),
                kind: z.enum(messageKinds),
                to: z.string(),
                subject: z.string(),
                text: z.string(),
                subjectId: z.string().optional(),
                status: z.string(),
                attempts: z.number(),
                createdAt: z.string(),
                sentAt: z.string().nullable(),
                nextAttemptAt: z.string(),
                lastError: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (!coversRequestHandling(vault.declaration, (purpose) => canReadForPurpose(actor, purpose))) throw notForThisKey(vault.declaration, 'the outbox');
      const messages = await readOutbox(vault, { limit: request.query.limit, ...(request.query.status ? { status: request.query.status } : {}) });
      await auditStaffRead(vault, { actor: auditActorOf(actor), target: 'outbox', what: `${messages.length} messages` });
      return { messages: messages.map(maskSentSecrets) };
    },
  );
};
