/**
 * Children's data: reports that a child under the minimum age provided data (public),
 * their review by staff, and the sale opt-in of subjects aged 13 to 15.
 */

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { confirmChildReport, dismissChildReport } from '../children/decide-child-report.js';
import { listReports, readReport, reportStatuses } from '../children/read-child-reports.js';
import { reportChild } from '../children/report-child.js';
import { saleOptIn } from '../children/under-16.js';
import { subjectIdPattern } from '../vault/ids.js';
import type { VaultContext } from '../vault/vault-context.js';
import { auditActorOfRequest, type Auth } from './auth.js';

const SubjectId = z.string().regex(subjectIdPattern, 'must be a subject id (sub_ followed by 22 characters)');
const ReportId = z.string().regex(/^rep_[A-Za-z0-9_-]{22}$/, 'must be a report id (rep_ followed by 22 characters)');
const Email = z.email({ error: 'must be an e-mail address' }).max(254);

const ReportBody = z
  .strictObject({
    reporterEmail: Email.optional().describe('where we write back about the review'),
    childEmail: Email.optional(),
    subjectId: SubjectId.optional(),
    details: z.string().trim().min(1, 'must not be empty').max(5000),
  })
  .refine((body) => body.childEmail !== undefined || body.subjectId !== undefined, { error: 'give childEmail or subjectId', path: ['childEmail'] });
const Summary = z.object({
  id: z.string(),
  status: z.enum(reportStatuses),
  subjectId: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  outcome: z.string().nullable(),
});
const Decision = z.object({
  reportId: z.string(),
  status: z.enum(['confirmed', 'dismissed']),
  decidedAt: z.string(),
  outcome: z.string().nullable(),
  heldCategories: z.array(z.string()),
  recipientsNotified: z.array(z.string()),
});

/** Public and unauthenticated: limited per client address, per process. */
const publicLimit = { rateLimit: { max: 5, timeWindow: '1 minute' } };

export const childrenRoutes: FastifyPluginAsyncZod<{ vault: VaultContext; auth: Auth }> = async (app, { vault, auth }) => {

  app.post(
    '/v1/reports/child',
    {
      config: publicLimit,
      bodyLimit: 16 * 1024,
      schema: {
        summary: 'Report that a child under the minimum age provided personal information; opens a review (the answer never says whether the child is known)',
        tags: ['children'],
        body: ReportBody,
        response: { 202: z.object({ reportId: z.string(), status: z.literal('received') }) },
      },
    },
    async (request, reply) => {
      const { reportId } = await reportChild(vault, { ...request.body });
      return reply.code(202).send({ reportId, status: 'received' as const });
    },
  );

  app.get(
    '/v1/reports',
    {
      onRequest: auth.requirePermission('reports:manage'),
      schema: {
        summary: 'Reports about children, newest first',
        tags: ['children'],
        querystring: z.strictObject({ status: z.enum(reportStatuses).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: z.object({ reports: z.array(Summary) }) },
      },
    },
    async (request) => ({ reports: await listReports(vault, { ...(request.query.status ? { status: request.query.status } : {}), limit: request.query.limit }) }),
  );

  app.get(
    '/v1/reports/:id',
    {
      onRequest: auth.requirePermission('reports:manage'),
      schema: {
        summary: 'One report with its contents (the read is audited)',
        tags: ['children'],
        params: z.strictObject({ id: ReportId }),
        response: {
          200: Summary.extend({ reporterEmail: z.string().nullable(), childEmail: z.string().nullable(), details: z.string().nullable(), decisionReason: z.string().nullable() }),
        },
      },
    },
    async (request) => readReport(vault, { reportId: request.params.id, actor: auditActorOfRequest(request) }),
  );

  app.post(
    '/v1/reports/:id/confirm',
    {
      onRequest: auth.requirePermission('reports:manage'),
      schema: {
        summary: "Confirm a report: the child's data is erased (recipients notified) and the reporter told",
        tags: ['children'],
        params: z.strictObject({ id: ReportId }),
        body: z.strictObject({ subjectId: SubjectId.optional().describe('the account found by review, when the report did not name a known one') }).optional(),
        response: { 200: Decision },
      },
    },
    async (request) =>
      confirmChildReport(vault, {
        reportId: request.params.id,
        actor: auditActorOfRequest(request),
        ...(request.body?.subjectId ? { subjectId: request.body.subjectId } : {}),
      }),
  );

  app.post(
    '/v1/reports/:id/dismiss',
    {
      onRequest: auth.requirePermission('reports:manage'),
      schema: {
        summary: 'Dismiss a report, with its reason; the reporter is told',
        tags: ['children'],
        params: z.strictObject({ id: ReportId }),
        body: z.strictObject({ reason: z.string().trim().min(1, 'must not be empty').max(2000) }),
        response: { 200: Decision },
      },
    },
    async (request) => dismissChildReport(vault, { reportId: request.params.id, actor: auditActorOfRequest(request), reason: request.body.reason }),
  );

  app.post(
    '/v1/subjects/:id/sale-opt-in',
    {
      onRequest: auth.requirePermission('accounts:update'),
      schema: {
        summary: 'The subject opts in to the sale and sharing of its personal information (13 and over; under-16s start opted out)',
        tags: ['children'],
        params: z.strictObject({ id: SubjectId }),
        response: { 200: z.object({ subjectId: z.string(), optedOut: z.literal(false), at: z.string(), by: z.string() }) },
      },
    },
    async (request) => saleOptIn(vault, { subjectId: request.params.id, actor: auditActorOfRequest(request) }),
  );
};
