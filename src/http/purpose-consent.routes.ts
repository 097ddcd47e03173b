/**
 * Consent to purposes whose legal basis is consent: the form generated from the policy in
 * force, a visitor's decisions in force (what the form shows checked), the decisions a
 * visitor sends from it (granting and withdrawing alike), the decisions staff record with
 * the channel the person used, and their history.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { countryOf } from '../collect/country.js';
import { purposeConsentHistory } from '../consent/consent-history.js';
import { purposeConsentForm, staffChannels, verifyPurposeConsentProof } from '../consent/purpose-consent.js';
import { recordPurposeConsent } from '../consent/record-purpose-consent.js';
import { visitorConsentedPurposes } from '../consent/visitor-purpose-consents.js';
import { visitorIdPattern } from '../consent/visitor-id.js';
import { VowError } from '../errors.js';
import type { PolicySource } from '../policy/policy-in-force.js';
import { subjectIdPattern } from '../vault/ids.js';
import { personOf } from '../vault/link-visitor.js';
import { findSubject } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import { actorOf, auditActorOfRequest, type Auth } from './auth.js';

const PurposeId = z.string().min(1).max(64);
const Hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in lower-case hex');
const Decisions = {
  granted: z.array(PurposeId).max(50).default([]),
  withdrawn: z.array(PurposeId).max(50).default([]),
};
const FormResponse = z.object({
  policyVersion: z.number().int(),
  organization: z.string(),
  purposes: z.array(z.object({ id: z.string(), description: z.string() })),
  textHash: z.string().describe('send it back with the decision: the texts shown are part of its proof'),
});
const VisitorId = z.string().regex(visitorIdPattern, 'must be a visitor id (vis_ followed by 22 characters)');
const VisitorParams = z.strictObject({ visitorId: VisitorId });
const VisitorResponse = z.object({ consented: z.array(z.string()).describe('the consent-based purposes this visitor (or the account it is linked to) consents to now') });
const VisitorBody = z.strictObject({
  visitorId: VisitorId.optional(),
  ...Decisions,
  policyVersion: z.number().int().positive().max(2 ** 31 - 1),
  textHash: Hash,
});
const Result = z.object({
  consented: z.array(z.string()).describe('the consent-based purposes consented to now'),
  recordedAt: z.string(),
  records: z.array(z.object({ purpose: z.string(), granted: z.boolean(), proof: z.string() })),
});
const Params = z.strictObject({ id: z.string().regex(subjectIdPattern, 'must be a subject id (sub_ followed by 22 characters)') });
const StaffBody = z.strictObject({
  ...Decisions,
  channel: z.enum(staffChannels).describe('how the person told staff of the decision'),
});
const HistoryResponse = z.object({
  subjectId: z.string(),
  records: z.array(
    z.object({
      id: z.string(),
      subjectId: z.string(),
      purpose: z.string(),
      granted: z.boolean(),
      source: z.string(),
      channel: z.string().nullable(),
      actor: z.string(),
      policyVersion: z.number().int(),
      textHash: z.string(),
      recordedAt: z.string(),
      proof: z.string(),
      verified: z.boolean(),
    }),
  ),
});

export interface PurposeConsentRouteOptions {
  vault: VaultContext;
  policy: PolicySource;
  auth: Auth;
  countryHeader?: string | undefined;
  /** Told the subjects of each decision (the subject and those linked to it), so that this server's event ingestion applies it at once. */
  onDecision?: ((subjectIds: ReadonlySet<string>) => void) | undefined;
}

export const purposeConsentRoutes: FastifyPluginAsyncZod<PurposeConsentRouteOptions> = async (app, { vault, policy, auth, countryHeader, onDecision }) => {
  // Other servers read the decision within their visitor cache's lifetime (ingestor.ts).
  const decided = async (subjectId: string) => {
    if (onDecision) onDecision(await personOf(vault.db, subjectId));
  };
  app.get(
    '/v1/consent/purposes',
    { schema: { summary: 'The purposes that rest on consent, as the preference form shows them', tags: ['consent'], response: { 200: FormResponse } } },
    async () => {
      const inForce = policy.current();
      return { policyVersion: inForce.version.number, ...purposeConsentForm(inForce.declaration) };
    },
  );

  app.get(
    '/v1/consent/purposes/visitors/:visitorId',
    {
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        summary: "What a visitor consents to now, for the preference form; an unknown or erased visitor answers as one who never decided. The id is the browser's own secret",
        tags: ['consent'],
        params: VisitorParams,
        response: { 200: VisitorResponse },
      },
    },
    async (request, reply) => {
      // One person's decisions: never kept by a shared cache.
      void reply.header('cache-control', 'no-store');
      return { consented: await visitorConsentedPurposes(vault, request.params.visitorId) };
    },
  );

  app.post(
    '/v1/consent/purposes',
    {
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
      bodyLimit: 16 * 1024,
      schema: {
        summary: 'Grant or withdraw consent to purposes, from the preference form (a browser visitor)',
        tags: ['consent'],
        body: VisitorBody,
        response: { 201: Result.extend({ visitorId: z.string() }) },
      },
    },
    async (request, reply) => {
      const { visitorId, ...decision } = request.body;
      const result = await recordPurposeConsent(vault, {
        ...decision,
        who: { visitorId },
        source: 'form',
        actor: 'public',
        region: countryOf(request.headers, countryHeader),
      });
      await decided(result.subjectId);
      return reply.code(201).send({ visitorId: result.visitorId ?? '', consented: result.consented, recordedAt: result.recordedAt, records: result.records });
    },
  );

  app.post(
    '/v1/subjects/:id/purpose-consents',
    {
      onRequest: auth.requirePermission('consent:record'),
      bodyLimit: 16 * 1024,
      schema: {
        summary: 'Record a decision a person gave staff (by phone, e-mail, paper or in person), under the texts in force',
        tags: ['consent'],
        params: Params,
        body: StaffBody,
        response: { 201: Result },
      },
    },
    async (request, reply) => {
      actorOf(request);
      const inForce = policy.current();
      const result = await recordPurposeConsent(vault, {
        ...request.body,
        who: { subjectId: request.params.id },
        source: 'staff',
        actor: auditActorOfRequest(request),
        policyVersion: inForce.version.number,
        textHash: purposeConsentForm(inForce.declaration).textHash,
      });
      await decided(result.subjectId);
      return reply.code(201).send({ consented: result.consented, recordedAt: result.recordedAt, records: result.records });
    },
  );

  app.get(
    '/v1/subjects/:id/purpose-consents',
    {
      onRequest: auth.requirePermission('consent:read'),
      schema: { summary: "A subject's decisions on consent-based purposes, its linked visitors' included, oldest first", tags: ['consent'], params: Params, response: { 200: HistoryResponse } },
    },
    async (request) => {
      const subjectId = request.params.id;
      if (!(await findSubject(vault.db, subjectId))) throw new VowError('not_found', `subject ${subjectId} does not exist`);
      const records = await purposeConsentHistory(vault.db, subjectId);
      return { subjectId, records: records.map((record) => ({ ...record, verified: verifyPurposeConsentProof(record) })) };
    },
  );
};
