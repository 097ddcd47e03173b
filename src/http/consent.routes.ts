/**
 * Consent over HTTP: the banner the browser SDK shows, the decisions it sends back,
 * their history for staff, and the GPC support resource of `/.well-known/gpc.json`.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { visitorCountry } from '../collect/country.js';
import { consentModelFor } from '../consent/consent-model.js';
import { bannerLanguage, bannerLanguages, bannerStringKeys } from '../consent/banner-strings.js';
import { bannerFor, type Banner } from '../consent/banner.js';
import { consentHistory } from '../consent/consent-history.js';
import { verifyConsentProof } from '../consent/consent-record.js';
import { recordConsent } from '../consent/record-consent.js';
import { readSignals } from '../consent/signals.js';
import { visitorIdPattern } from '../consent/visitor-id.js';
import { VowError } from '../errors.js';
import { consentModelNames, consentModeSignals, cookieTreatments } from '../policy/declaration.js';
import type { LivePolicy, PolicyInForce, PolicySource } from '../policy/policy-in-force.js';
import type { Database } from '../store/schema.js';
import { subjectIdPattern } from '../vault/ids.js';
import { findSubjectByIdentifier } from '../vault/subject-store.js';
import { findSubject } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import type { Auth } from './auth.js';

const CategoryId = z.string().min(1).max(64);
const Hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in lower-case hex');

const BannerQuery = z.strictObject({ lang: z.string().max(35).optional().describe('language code (en, fr, fr-CA…); otherwise Accept-Language, then English') });
const Signal = z.enum(['honor', 'ignore']);
export const BannerResponse = z.object({
  lang: z.string(),
  policyVersion: z.number().int(),
  lastMaterialVersion: z.number().int().describe('ask again when the stored decision was made under an older version'),
  strings: z.record(z.enum(bannerStringKeys), z.string()),
  categories: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      necessary: z.boolean(),
      treatedAs: z.array(z.enum(cookieTreatments)),
      cookies: z.array(z.object({ name: z.string(), pattern: z.boolean() })),
      cookieDetails: z.array(z.object({ name: z.string(), provider: z.string(), purpose: z.string(), duration: z.string() })).describe('each cookie as the settings show it'),
      recipients: z.array(z.string()).describe('the names of the recipients of what the category collects'),
      consentMode: z.array(z.enum(consentModeSignals)).describe('the Google Consent Mode signals allowing the category grants'),
    }),
  ),
  signals: z.object({ doNotTrack: Signal, globalPrivacyControl: Signal }),
  links: z.object({ notice: z.boolean(), privacyUrl: z.literal('/privacy') }),
  bannerHash: z.string(),
  consentModel: z.enum(consentModelNames).describe("the model for the visitor's region: opt-in (nothing optional before a choice) or opt-out (notice, on until refused)"),
  region: z.string().nullable().describe("the visitor's country as Vow found it (the proxy's header, else an offline lookup), or null"),
});

const ConsentBody = z.strictObject({
  visitorId: z.string().regex(visitorIdPattern, 'must be a visitor id (vis_ followed by 22 characters)').optional(),
  granted: z.array(CategoryId).max(50),
  refused: z.array(CategoryId).max(50),
  source: z.enum(['banner', 'api']),
  policyVersion: z.number().int().positive().max(2 ** 31 - 1),
  bannerHash: Hash,
});
const ConsentResponse = z.object({
  visitorId: z.string(),
  subjectId: z.string(),
  granted: z.array(z.string()),
  refused: z.array(z.string()),
  signalsHonored: z.array(z.enum(['gpc', 'dnt'])),
  recordedAt: z.string(),
  proof: z.string(),
});

const HistoryParams = z.strictObject({ subject: z.string().regex(subjectIdPattern, 'must be a subject id (sub_ followed by 22 characters)') });
const HistoryResponse = z.object({
  subjectId: z.string(),
  records: z.array(
    z.object({
      id: z.string(),
      subjectId: z.string(),
      policyVersion: z.number().int(),
      granted: z.array(z.string()),
      refused: z.array(z.string()),
      source: z.string(),
      gpc: z.boolean(),
      dnt: z.boolean(),
      recordedAt: z.string(),
      bannerHash: z.string(),
      region: z.string().nullable().describe("the visitor's country or subdivision, when known"),
      consentModel: z.string().nullable().describe('opt-in or opt-out: the model the banner showed'),
      proof: z.string(),
      verified: z.boolean().describe('whether the record still matches its proof'),
    }),
  ),
});

const GpcResponse = z.object({ gpc: z.boolean(), lastUpdate: z.string().optional() });

/** A visitor records a decision a few times per visit at most. */
const consentLimit = { rateLimit: { max: 60, timeWindow: '1 minute' } };

/** The first language of an Accept-Language header (`fr-CA,fr;q=0.9` → `fr-CA`). */
function firstLanguage(header: string | undefined): string | undefined {
  const first = header?.split(',')[0]?.split(';')[0]?.trim();
  return first === '' || first === '*' ? undefined : first;
}

export const consentRoutes: FastifyPluginAsyncZod<{
  vault: VaultContext;
  /** The version in force: the banner shows it from the first request after its publication. */
  policy: PolicySource | LivePolicy;
  auth: Auth;
  db: Kysely<Database>;
  /** The header the operator's proxy sets to the visitor's country: a new visitor's region. */
  countryHeader?: string | undefined;
  /** Told the visitor's subject after each decision, so that this server's event ingestion applies it at once (others within their cache's lifetime). */
  onDecision?: ((subjectIds: ReadonlySet<string>) => void) | undefined;
}> = async (app, { vault, policy, auth, db, countryHeader, onDecision }) => {
  // A version's banner never changes: built once per version and language.
  const banners = new WeakMap<PolicyInForce, Map<string, Banner>>();
  const bannerOf = (inForce: PolicyInForce, lang: string | undefined): Banner => {
    let byLang = banners.get(inForce);
    if (!byLang) banners.set(inForce, (byLang = new Map<string, Banner>()));
    // One entry per language Vow speaks, whatever tag was asked for.
    const spoken = bannerLanguage(lang);
    let banner = byLang.get(spoken);
    if (!banner) {
      banner = bannerFor(inForce.declaration, { lang: spoken, policyVersion: inForce.version.number, lastMaterialVersion: inForce.lastMaterialVersion });
      byLang.set(spoken, banner);
    }
    return banner;
  };
  // A new version's banners are built as soon as it is in force, each in a task of its own,
  // so no request waits for both the swap and a banner (docs/adr/0007).
  if ('onChange' in policy) {
    policy.onChange((next) => {
      for (const lang of bannerLanguages) {
        setImmediate(() => {
          bannerOf(next, lang);
        });
      }
    });
  }

  app.get(
    '/v1/consent/banner',
    { schema: { summary: 'The consent banner: texts, cookie categories, signal settings and their hash', tags: ['consent'], querystring: BannerQuery, response: { 200: BannerResponse } } },
    async (request, reply) => {
      if (request.query.lang === undefined) void reply.header('vary', 'Accept-Language');
      const inForce = policy.current();
      const banner = bannerOf(inForce, request.query.lang ?? firstLanguage(request.headers['accept-language']));
      // The model follows the visitor, not the version: told beside the cached banner, never cached with it.
      void reply.header('cache-control', 'private, no-store');
      const { model, region } = consentModelFor(inForce.declaration, visitorCountry(request.headers, countryHeader, request.ip));
      return { ...banner, consentModel: model, region };
    },
  );

  app.post(
    '/v1/consent',
    {
      config: consentLimit,
      bodyLimit: 16 * 1024,
      schema: {
        summary: 'Record a consent decision (Sec-GPC and DNT read from the request)',
        tags: ['consent'],
        body: ConsentBody,
        response: { 201: ConsentResponse },
      },
    },
    async (request, reply) => {
      const result = await recordConsent(vault, { ...request.body, signals: readSignals(request.headers), region: visitorCountry(request.headers, countryHeader, request.ip) });
      onDecision?.(new Set([result.subjectId]));
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/v1/consent/:subject',
    {
      onRequest: auth.requirePermission('consent:read'),
      schema: { summary: "A subject's consent decisions, oldest first", tags: ['consent'], params: HistoryParams, response: { 200: HistoryResponse } },
    },
    async (request) => {
      const subjectId = request.params.subject;
      if (!(await findSubject(db, subjectId))) throw new VowError('not_found', `subject ${subjectId} does not exist`);
      const records = await consentHistory(db, subjectId);
      return { subjectId, records: records.map((record) => ({ ...record, verified: verifyConsentProof(record) })) };
    },
  );

  app.get(
    '/v1/consent/visitors/:visitorId',
    {
      config: consentLimit,
      schema: {
        summary: "Whether Vow still knows a visitor id (the SDK asks before honoring a stored decision); the id is the browser's own secret",
        tags: ['consent'],
        params: z.strictObject({ visitorId: z.string().regex(visitorIdPattern, 'must be a visitor id (vis_ followed by 22 characters)') }),
        response: { 200: z.object({ known: z.boolean() }) },
      },
    },
    async (request) => {
      const subjectId = await findSubjectByIdentifier(vault, db, { kind: 'visitor', value: request.params.visitorId });
      const subject = subjectId === undefined ? undefined : await findSubject(db, subjectId);
      return { known: subject !== undefined && subject.kind !== 'erased' };
    },
  );

  app.get(
    '/.well-known/gpc.json',
    { schema: { summary: 'Global Privacy Control support resource', tags: ['consent'], response: { 200: GpcResponse } } },
    async () => {
      const { declaration, version } = policy.current();
      return { gpc: declaration.signals.globalPrivacyControl === 'honor', lastUpdate: version.publishedAt.slice(0, 10) };
    },
  );
};
