/** Collection and purpose-limited use of personal data: accounts, communications, subjects. */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditActorOf } from '../auth/actor.js';
import { ageGateFlagCookie, ageGateFlagLifetime, refusedBefore, underMinimumAge } from '../children/age-gate-flag.js';
import { countryOf } from '../collect/country.js';
import { visitorIdPattern } from '../consent/visitor-id.js';
import { canReadForPurpose } from '../auth/role.js';
import { VowError } from '../errors.js';
import { closeAccount } from '../vault/close-account.js';
import { correctAccount } from '../vault/correct-account.js';
import { createAccount } from '../vault/create-account.js';
import { subjectIdPattern } from '../vault/ids.js';
import { linkContact } from '../vault/link-contact.js';
import { linkVisitor } from '../vault/link-visitor.js';
import { findSubjectsByEmail } from '../vault/find-subjects.js';
import { listChoices } from '../vault/list-choices.js';
import { readSubjectData } from '../vault/read-subject-data.js';
import { recordCommunication } from '../vault/record-communication.js';
import { categoryOfKind } from '../vault/validate-fields.js';
import type { VaultContext } from '../vault/vault-context.js';
import { actorOf, type Auth } from './auth.js';

const SubjectParams = z.strictObject({ id: z.string().regex(subjectIdPattern, 'must be a subject id (sub_ followed by 22 characters)') });
const PurposeQuery = z.strictObject({ purpose: z.string().min(1).max(64) });
/** Field names and values are checked against the declaration; here only the shape and size. */
const FieldsBody = z
  .record(z.string().max(64), z.unknown())
  .refine((fields) => Object.keys(fields).length <= 50, 'at most 50 fields');
const Created = z.object({ id: z.string().describe("the subject's pseudonymous id") });
const Received = z.object({ received: z.literal(true) });
const Record = z.object({ id: z.string(), source: z.string(), collectedAt: z.string(), updatedAt: z.string(), fields: z.record(z.string(), z.string()) });
const SubjectData = z.object({ subjectId: z.string(), purpose: z.string(), categories: z.array(z.object({ category: z.string(), records: z.array(Record) })) });

/**
 * An explicit `region` (ISO 3166-1 alpha-2, where the account holder is) beside the
 * account's fields, unless the declaration declares a field of that name.
 */
function splitRegion(body: Record<string, unknown>, declared: readonly { name: string }[]): { fields: Record<string, unknown>; region: string | undefined } {
  if (!('region' in body) || declared.some((field) => field.name === 'region')) return { fields: body, region: undefined };
  const { region, ...fields } = body;
  if (typeof region !== 'string' || !/^[A-Z]{2}$/.test(region)) {
    throw new VowError('bad_request', 'region must be an ISO 3166-1 alpha-2 country code such as FR', [{ path: 'region', message: 'must be an ISO 3166-1 alpha-2 country code' }]);
  }
  return { fields, region };
}

/** Sign-up and contact forms are public: limited per client address, per process. */
const publicLimit = { rateLimit: { max: 20, timeWindow: '1 minute' } };
const BODY_LIMIT = 128 * 1024;

export const vaultRoutes: FastifyPluginAsyncZod<{
  vault: VaultContext;
  auth: Auth;
  /** The header the operator's proxy sets to the client's country: a new account's region. */
  countryHeader?: string | undefined;
}> = async (app, { vault, auth, countryHeader }) => {
  /** Every read names its purpose; whether the caller's key was issued for it is decided here. */
  const readForPurpose = (request: FastifyRequest, subjectId: string, purpose: string, categories?: readonly string[]) => {
    const actor = actorOf(request);
    return readSubjectData(vault, {
      subjectId,
      purpose,
      actor: auditActorOf(actor),
      readerMayUsePurpose: canReadForPurpose(actor, purpose),
      ...(categories ? { categories } : {}),
    });
  };

  app.post(
    '/v1/accounts',
    {
      config: publicLimit,
      bodyLimit: BODY_LIMIT,
      schema: { summary: 'Open an account (fields as declared for the account category; age-gated)', tags: ['vault'], body: FieldsBody, response: { 201: Created } },
    },
    async (request, reply) => {
      const declaration = vault.declaration;
      const flagLifetime = ageGateFlagLifetime(declaration);
      // A browser the gate refused is refused again, whatever date it now gives: nothing is read, nothing stored.
      if (flagLifetime !== undefined && refusedBefore(request.headers.cookie)) throw underMinimumAge(declaration);
      const { fields, region } = splitRegion(request.body, categoryOfKind(declaration.categories, 'account').fields);
      try {
        const { subjectId } = await createAccount(vault, { fields, actor: 'public', region: region ?? countryOf(request.headers, countryHeader) });
        return await reply.code(201).send({ id: subjectId });
      } catch (error) {
        if (flagLifetime !== undefined && error instanceof VowError && error.code === 'under_minimum_age') {
          void reply.header('set-cookie', ageGateFlagCookie(flagLifetime, request.protocol === 'https'));
        }
        throw error;
      }
    },
  );

  app.get(
    '/v1/accounts/:id',
    {
      onRequest: auth.requirePermission('accounts:read'),
      schema: { summary: 'Read an account for a named purpose', tags: ['vault'], params: SubjectParams, querystring: PurposeQuery, response: { 200: SubjectData } },
    },
    async (request) => readForPurpose(request, request.params.id, request.query.purpose, [categoryOfKind(vault.declaration.categories, 'account').id]),
  );

  app.patch(
    '/v1/accounts/:id',
    {
      onRequest: auth.requirePermission('accounts:update'),
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: 'Correct account fields',
        tags: ['vault'],
        params: SubjectParams,
        body: FieldsBody,
        response: {
          200: z.object({
            id: z.string(),
            updated: z.array(z.string()),
            recipientsNotified: z.array(z.string()).describe('recipients told by webhook'),
            recipientsToldByStaff: z.array(z.string()).describe('recipients without a webhook: a task for staff each (GET /v1/recipient-tasks)'),
          }),
        },
      },
    },
    async (request) => {
      // A staff correction tells the recipients like a requested one.
      const { subjectId, updated, notices } = await correctAccount(vault, { subjectId: request.params.id, fields: request.body, actor: auditActorOf(actorOf(request)) });
      return { id: subjectId, updated, recipientsNotified: notices.recipients, recipientsToldByStaff: notices.toldByStaff };
    },
  );

  const Closed = z.object({ id: z.string(), closedAt: z.string(), closedNow: z.boolean().describe('false when it was already closed') });
  const close = async (request: FastifyRequest, subjectId: string) => {
    const closed = await closeAccount(vault, { subjectId, actor: auditActorOf(actorOf(request)) });
    return { id: closed.subjectId, closedAt: closed.closedAt, closedNow: closed.closedNow };
  };
  const closeSchema = {
    summary: 'Close the account: every retention counted from account closure starts now (nothing is deleted yet)',
    tags: ['vault'],
    params: SubjectParams,
    response: { 200: Closed },
  };
  app.post('/v1/accounts/:id/close', { onRequest: auth.requirePermission('accounts:update'), schema: closeSchema }, (request) => close(request, request.params.id));
  app.delete('/v1/accounts/:id', { onRequest: auth.requirePermission('accounts:update'), schema: closeSchema }, (request) => close(request, request.params.id));

  app.post(
    '/v1/communications',
    {
      config: publicLimit,
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: 'Keep a message sent to the company (fields as declared for the communication category)',
        tags: ['vault'],
        body: FieldsBody,
        response: { 202: Received },
      },
    },
    async (request, reply) => {
      await recordCommunication(vault, { fields: request.body, source: 'api', actor: 'public' });
      // No subject id: the answer must not tell whether the address belongs to someone.
      return reply.code(202).send({ received: true });
    },
  );

  app.post(
    '/v1/subjects/search',
    {
      onRequest: auth.requirePermission('accounts:read'),
      bodyLimit: 4 * 1024,
      schema: {
        summary: 'Find subjects by e-mail address, through the blind index (a body, not a query, so the address is in no URL or access log); audited without the address',
        tags: ['vault'],
        body: z.strictObject({ email: z.email({ error: 'must be an e-mail address' }).max(254) }),
        response: {
          200: z.object({
            subjects: z.array(z.object({ id: z.string(), kind: z.string(), region: z.string().nullable(), createdAt: z.string(), lastActivityAt: z.string(), closedAt: z.string().nullable() })),
          }),
        },
      },
    },
    async (request) => ({ subjects: await findSubjectsByEmail(vault, { email: request.body.email, actor: auditActorOf(actorOf(request)) }) }),
  );

  app.get(
    '/v1/subjects/:id/data',
    {
      onRequest: auth.requirePermission('subjects:read-data'),
      schema: {
        summary: "A subject's data, limited to the categories whose declared purposes include the one named",
        tags: ['vault'],
        params: SubjectParams,
        querystring: PurposeQuery,
        response: { 200: SubjectData },
      },
    },
    async (request) => readForPurpose(request, request.params.id, request.query.purpose),
  );

  app.get(
    '/v1/subjects/:id/choices',
    {
      onRequest: auth.requirePermission('subjects:read-choices'),
      schema: {
        summary: 'Features the subject cannot use because it withheld the data they need',
        tags: ['vault'],
        params: SubjectParams,
        response: {
          200: z.object({
            subjectId: z.string(),
            available: z.array(z.object({ feature: z.string(), name: z.string() })),
            unavailable: z.array(z.object({ feature: z.string(), name: z.string(), missing: z.array(z.string()) })),
          }),
        },
      },
    },
    async (request) => listChoices(vault, request.params.id),
  );

  app.post(
    '/v1/accounts/:id/contacts',
    {
      onRequest: auth.requirePermission('accounts:update'),
      schema: {
        summary: 'Link the messages sent from an address to this account, once staff know the writer is its holder',
        tags: ['vault'],
        params: SubjectParams,
        body: z.strictObject({ email: z.email({ error: 'must be an e-mail address' }).max(254) }),
        response: { 200: z.object({ subjectId: z.string(), linked: z.boolean().describe('whether messages from that address are linked to this account now') }) },
      },
    },
    async (request) => linkContact(vault, { subjectId: request.params.id, email: request.body.email, actor: auditActorOf(actorOf(request)) }),
  );

  app.post(
    '/v1/accounts/:id/visitors',
    {
      onRequest: auth.requirePermission('accounts:update'),
      schema: {
        summary: "Link a browser visitor's consent records and events to this account, so access and erasure reach them",
        tags: ['vault'],
        params: SubjectParams,
        body: z.strictObject({ visitorId: z.string().regex(visitorIdPattern, 'must be a visitor id (vis_ followed by 22 characters)') }),
        response: { 200: z.object({ subjectId: z.string(), visitorSubjectId: z.string() }) },
      },
    },
    async (request) =>
      linkVisitor(vault, { subjectId: request.params.id, visitorId: request.body.visitorId, actor: auditActorOf(actorOf(request)) }),
  );
};
