/** Disclosures to declared recipients, their accounting per subject, and the records of processing. */
import { legalGrounds } from '../disclosures/legal-grounds.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { disclose, disclosureKinds } from '../disclosures/disclose.js';
import { renderRopa, ropaFormats } from '../disclosures/render-ropa.js';
import { ropaOfStore } from '../disclosures/ropa-of-store.js';
import { latestDisclosures } from '../disclosures/disclosure.repository.js';
import { readSubjectDisclosures } from '../disclosures/subject-disclosures.js';
import type { SigningKey } from '../disclosures/signing-key.js';
import { VowError } from '../errors.js';
import { subjectIdPattern } from '../vault/ids.js';
import { findSubject } from '../vault/subject.repository.js';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { VaultContext } from '../vault/vault-context.js';
import { auditActorOf } from '../auth/actor.js';
import { canReadForPurpose } from '../auth/role.js';
import { auditStaffRead, coversRequestHandling } from '../requests/staff-views.js';
import { actorOf, auditActorOfRequest, type Auth } from './auth.js';
import { decodeCursor, encodeCursor, PageAfter, PageLimit } from './page-cursor.js';
import { RopaSchema } from './staff-schemas.js';

const Id = z.string().min(1).max(64);
const SubjectId = z.string().regex(subjectIdPattern, 'must be a subject id (sub_ followed by 22 characters)');
/** What a legal request must record (section 3, "Legal Requirements"): who asked, under what process, for what. */
const LegalRequestDetails = z.strictObject({
  authority: z.string().min(1).max(200),
  process: z.string().min(1).max(200).describe('e.g. subpoena, court order, national-security letter'),
  reference: z.string().max(200).optional(),
  scope: z.string().min(1).max(1000),
  receivedOn: z.iso.date(),
});
const DisclosureBody = z
  .strictObject({
    recipient: Id,
    categories: z.array(Id).min(1).max(50),
    purpose: Id,
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code').optional(),
    subjects: z.union([z.strictObject({ ids: z.array(SubjectId).min(1).max(10_000) }), z.strictObject({ holding: z.literal(true) })]),
    kind: z.enum(disclosureKinds).optional(),
    details: z.record(z.string().max(64), z.string().max(1000)).optional(),
    legalHold: z.strictObject({ reason: z.string().trim().min(1).max(2000) }).optional().describe('legal requests only: hold the disclosed data from erasure'),
    legalGround: z.enum(legalGrounds).optional().describe('legal requests: which of the policy’s grounds (i)–(v) the disclosure rests on'),
    silentUntil: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional().describe('legal requests: the subjects are not told before then (their access export shows it after)'),
  })
  .superRefine((body, ctx) => {
    if (body.legalHold && body.kind !== 'legal-request') ctx.addIssue({ code: 'custom', path: ['legalHold'], message: 'is for legal requests only' });
    if (body.kind !== 'legal-request') return;
    const parsed = LegalRequestDetails.safeParse(body.details ?? {});
    for (const issue of parsed.error?.issues ?? []) {
      ctx.addIssue({ code: 'custom', path: ['details', ...issue.path.map(String)], message: issue.message });
    }
  });

/** What both the register and a subject's disclosures say of one disclosure. */
const DisclosureFacts = z.object({
  id: z.string(),
  recipient: z.string(),
  purpose: z.string(),
  categories: z.array(z.string()),
  country: z.string(),
  kind: z.string(),
  at: z.string(),
  legalGround: z.string().nullable(),
  silentUntil: z.string().nullable(),
});

/** The register's order: newest first, by time then id. */
const RegisterKey = z.tuple([z.iso.datetime(), z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)]).transform(([createdAt, id]) => ({ createdAt, id }));

export const disclosuresRoutes: FastifyPluginAsyncZod<{ vault: VaultContext; reads?: Kysely<Database>; signing: SigningKey; auth: Auth }> = async (app, { vault, reads = vault.db, signing, auth }) => {
  app.post(
    '/v1/disclosures',
    {
      onRequest: auth.requirePermission('disclosures:make'),
      schema: {
        summary: 'Disclose subjects’ data to a declared recipient: checked, packaged, signed and accounted for',
        tags: ['disclosures'],
        body: DisclosureBody,
      },
    },
    async (request, reply) => {
      const { body } = request;
      const result = await disclose(vault, signing, {
        recipient: body.recipient,
        categories: body.categories,
        purpose: body.purpose,
        subjects: body.subjects,
        actor: auditActorOfRequest(request),
        ...(body.country ? { country: body.country } : {}),
        ...(body.kind ? { kind: body.kind } : {}),
        ...(body.details ? { details: body.details } : {}),
        ...(body.legalHold ? { legalHold: body.legalHold } : {}),
        ...(body.legalGround ? { legalGround: body.legalGround } : {}),
        ...(body.silentUntil ? { silentUntil: new Date(body.silentUntil).toISOString() } : {}),
      });
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/v1/disclosures',
    {
      onRequest: auth.requirePermission('disclosures:read'),
      schema: {
        summary: 'The register of disclosures, newest first, a page at a time: recipient, purpose, categories, country, how many people, the manifest hash',
        tags: ['disclosures'],
        querystring: z.strictObject({ limit: PageLimit, after: PageAfter }),
        response: {
          200: z.object({
            disclosures: z.array(
              DisclosureFacts.extend({ actor: z.string(), subjectCount: z.number(), manifestHash: z.string() }),
            ),
            next: z.string().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const { limit, after } = request.query;
      const rows = await latestDisclosures(reads, { limit, ...(after !== undefined ? { before: decodeCursor(after, RegisterKey) } : {}) });
      const last = rows.length === limit ? rows.at(-1) : undefined;
      return {
        disclosures: rows.map(({ createdAt, ...rest }) => ({ ...rest, at: createdAt })),
        next: last ? encodeCursor([last.createdAt, last.id]) : null,
      };
    },
  );

  app.get(
    '/v1/subjects/:id/disclosures',
    {
      onRequest: auth.requirePermission('disclosures:read'),
      schema: {
        summary: 'Who received what of this subject’s data, when and why; the details (null once unreadable) for keys of the legal-compliance purpose',
        tags: ['disclosures'],
        params: z.strictObject({ id: SubjectId }),
        response: {
          200: z.object({
            subjectId: z.string(),
            disclosures: z.array(
              DisclosureFacts.extend({ details: z.record(z.string(), z.unknown()).nullable().optional() }),
            ),
          }),
        },
      },
    },
    async (request) => {
      if (!(await findSubject(vault.db, request.params.id))) throw new VowError('not_found', `no subject ${request.params.id}`);
      const actor = actorOf(request);
      // Details may name people (an authority's scope, a case): shown, like request contents, only to keys for legal compliance, and each read audited.
      const withDetails = coversRequestHandling(vault.declaration, (purpose) => canReadForPurpose(actor, purpose));
      const disclosures = await readSubjectDisclosures(vault, request.params.id, { withDetails });
      if (withDetails) await auditStaffRead(vault, { actor: auditActorOf(actor), target: `subject:${request.params.id}`, what: 'disclosure details' });
      return {
        subjectId: request.params.id,
        disclosures: disclosures.map((d) => ({
          id: d.id,
          recipient: d.recipient,
          purpose: d.purpose,
          categories: d.categories,
          country: d.country,
          kind: d.kind,
          at: d.createdAt,
          legalGround: d.legalGround,
          silentUntil: d.silentUntil,
          ...(withDetails ? { details: d.details } : {}),
        })),
      };
    },
  );

  app.get(
    '/v1/ropa',
    {
      onRequest: auth.requirePermission('ropa:read'),
      schema: {
        summary: 'Records of processing activities (GDPR article 30): JSON, or CSV and Markdown with `format`',
        tags: ['disclosures'],
        querystring: z.strictObject({ format: z.enum(ropaFormats).default('json') }),
        // The JSON form's shape, or the CSV and Markdown forms' text.
        response: { 200: z.union([RopaSchema, z.string()]) },
      },
    },
    async (request, reply) => {
      const ropa = await ropaOfStore(reads, vault.declaration);
      if (request.query.format === 'json') return ropa;
      const types = { json: 'application/json', csv: 'text/csv', md: 'text/markdown' } as const;
      return reply.type(`${types[request.query.format]}; charset=utf-8`).send(renderRopa(ropa, request.query.format));
    },
  );

  app.get('/.well-known/vow-signing-key.pem', { schema: { summary: 'The public key that verifies disclosure packages', tags: ['disclosures'] } }, async (_request, reply) =>
    reply.type('application/x-pem-file').send(signing.publicKeyPem),
  );
};
