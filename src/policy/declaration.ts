/**
 * The declaration (`vow.policy.yaml`): the one source from which Vow renders the
 * public privacy policy and enforces it. Types are inferred from these schemas so
 * the file format and the code cannot drift apart.
 */
import { z } from 'zod';
import { DeclaredSystem } from './declared-system.js';

/** Lower-case identifiers referenced across the file (`provide-services`, `usage`). */
const Id = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes, starting with a letter');

/** ISO 3166-1 alpha-2 country code, e.g. `US`. */
const Country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as US');

export const consentModelNames = ['opt-in', 'opt-out'] as const;
export type ConsentModel = (typeof consentModelNames)[number];
/** A region a consent model applies to: a country (`FR`), a subdivision (`US-CA`), or the groups `EU` and `EEA`. */
const ModelRegion = z.string().regex(/^([A-Z]{2}(-[A-Z0-9]{1,3})?|EU|EEA)$/, 'must be a country (FR), a subdivision (US-CA), EU or EEA');

const Text = z.string().trim().min(1, 'must not be empty');

export const legalBases = [
  'consent',
  'contract',
  'legal-obligation',
  'vital-interests',
  'public-task',
  'legitimate-interests',
] as const;

export const Purpose = z.strictObject({
  id: Id,
  description: Text,
  legalBasis: z.enum(legalBases),
});

/** Which kind of information a category is, following section 1 of the policy. */
export const informationKinds = ['account', 'communication', 'social', 'technical'] as const;
export const technicalKinds = ['log-data', 'usage-data', 'device-information', 'cookies', 'analytics'] as const;
export const sources = ['subject', 'automatic', 'social-platform', 'third-party'] as const;

export const Retention = z.strictObject({
  /** ISO 8601 duration, e.g. `P2Y`, `P30D`. */
  period: z.iso.duration({ error: 'must be an ISO 8601 duration such as P2Y or P30D' }),
  /** The event the period counts from. */
  from: z.enum(['collection', 'last-activity', 'account-closure']).default('collection'),
});

export const Field = z.strictObject({
  name: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'must be a camelCase field name'),
  description: Text,
  /**
   * Technical information Vow does not store itself, held by the named system or
   * provider instead (`our web server's access logs`). The page says where; without it, a
   * technical category may list only fields Vow stores (collect/event-fields.ts).
   */
  heldIn: Text.optional(),
});

export const Category = z
  .strictObject({
    id: Id,
    name: Text,
    description: Text,
    kind: z.enum(informationKinds),
    technical: z.enum(technicalKinds).optional(),
    personal: z.boolean(),
    source: z.enum(sources),
    fields: z.array(Field).default([]),
    retention: Retention,
    purposes: z.array(Id).min(1, 'a category needs at least one allowed purpose'),
    /**
     * Technical categories: the event names kept in the clear (for statistics); any other
     * name is sealed with the event. Absent: the kind's own (`page_view`, `feature`,
     * `action` for usage data and analytics; `request` for log data; `device` for device information).
     */
    /**
     * Technical categories: the basis of collecting it. `with-consent` (the default): only
     * when a cookie category the visitor allowed collects it (cookies, analytics and anything
     * read from the device need it). `legitimate-interests`: server log data and device
     * information needed to run and secure the Site, collected from every known visitor,
     * opt-out signals aside.
     */
    collection: z.enum(['with-consent', 'legitimate-interests']).optional(),
    eventNames: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lower-case event name such as page_view')).optional(),
  })
  .check((ctx) => {
    const category = ctx.value;
    if (category.kind === 'technical' && category.technical === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: category,
        path: ['technical'],
        message: `technical information must say which kind: ${technicalKinds.join(', ')}`,
      });
    }
    if (category.collection !== undefined && category.technical === undefined) {
      ctx.issues.push({ code: 'custom', input: category, path: ['collection'], message: 'only technical categories say on what basis they are collected' });
    }
    if (category.collection === 'legitimate-interests' && (category.technical === 'cookies' || category.technical === 'analytics')) {
      ctx.issues.push({
        code: 'custom',
        input: category,
        path: ['collection'],
        message: 'cookies and analytics store or read information on the device: they need consent (ePrivacy Directive art. 5(3))',
      });
    }
    if (category.kind !== 'technical' && category.eventNames !== undefined) {
      ctx.issues.push({ code: 'custom', input: category, path: ['eventNames'], message: 'only technical categories take event names' });
    }
    if (category.kind !== 'technical' && category.technical !== undefined) {
      ctx.issues.push({
        code: 'custom',
        input: category,
        path: ['technical'],
        message: 'only categories of kind technical take a technical kind',
      });
    }
  });

/** What a cookie category amounts to under opt-out laws (CCPA "sale" and "sharing"). */
export const cookieTreatments = ['sale', 'sharing', 'advertising'] as const;

export const Cookie = z.strictObject({
  name: Text,
  /** Cookies whose names vary (`_ga_XXXX`) are matched by a regular expression. */
  pattern: z.boolean().default(false),
  provider: Text,
  description: Text,
  duration: z.union([z.literal('session'), z.iso.duration({ error: 'must be "session" or an ISO 8601 duration' })]),
});

/** Google Consent Mode v2's signals: each cookie category grants the ones it maps to. */
export const consentModeSignals = [
  'ad_storage',
  'ad_user_data',
  'ad_personalization',
  'analytics_storage',
  'functionality_storage',
  'personalization_storage',
  'security_storage',
] as const;
export type ConsentModeSignal = (typeof consentModeSignals)[number];

export const CookieCategory = z.strictObject({
  id: Id,
  name: Text,
  description: Text,
  /** Strictly necessary cookies are set before any choice and cannot be refused. */
  necessary: z.boolean().default(false),
  treatedAs: z.array(z.enum(cookieTreatments)).default([]),
  /** The data categories this cookie category collects. */
  collects: z.array(Id).default([]),
  cookies: z.array(Cookie).default([]),
  /** The Consent Mode signals this category grants when allowed (granted from the start when necessary). */
  consentMode: z.array(z.enum(consentModeSignals)).default([]),
});

export const recipientKinds = ['service-provider', 'affiliate', 'business-transfer', 'legal-authority', 'other-users'] as const;
export const serviceKinds = [
  'hosting',
  'cloud',
  'it',
  'event-management',
  'email-newsletters',
  'advertising-marketing',
  'web-analytics',
] as const;

export const Receipt = z.strictObject({
  categories: z.array(Id).min(1),
  purposes: z.array(Id).min(1),
});

/** A site's origin: scheme, host and port only, as a browser sends it in `Origin`. */
const SiteOrigin = z.string().check((ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(ctx.value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== ctx.value) {
    ctx.issues.push({ code: 'custom', input: ctx.value, message: 'must be an origin such as https://www.example.com: scheme and host (and port), no path or trailing slash' });
  }
});

export const Recipient = z
  .strictObject({
    id: Id,
    name: Text,
    kind: z.enum(recipientKinds),
    service: z.enum(serviceKinds).optional(),
    description: Text.optional(),
    receives: z.array(Receipt).min(1, 'a recipient must receive at least one category'),
    countries: z.array(Country).min(1, 'say in which countries the recipient processes the data'),
    /**
     * Other users only: the fields they see of a subject who has not chosen (`category.field`,
     * e.g. `account.name`). Each subject's visibility setting replaces this default, within
     * the categories the recipient receives.
     */
    visibleToOtherUsers: z
      .array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z][a-zA-Z0-9]*$/, 'must name a field as category.field, such as account.name'))
      .optional(),
    /**
     * What giving data to this recipient amounts to under opt-out laws (CCPA "sale" and
     * "sharing"): subjects who opted out, or are under 16 and did not opt in, are left out.
     */
    treatedAs: z.array(z.enum(cookieTreatments)).default([]),
    /**
     * The host names the company's site reaches this recipient at (`google-analytics.com`
     * covers its subdomains): `vow scan` reports a third-party request to any other.
     */
    domains: z.array(z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a lower-case host name such as google-analytics.com')).default([]),
  })
  .check((ctx) => {
    const recipient = ctx.value;
    if (recipient.kind !== 'other-users' && recipient.visibleToOtherUsers !== undefined) {
      ctx.issues.push({
        code: 'custom',
        input: recipient,
        path: ['visibleToOtherUsers'],
        message: 'only a recipient of kind other-users takes visibleToOtherUsers',
      });
    }
    if (recipient.kind === 'service-provider' && recipient.service === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: recipient,
        path: ['service'],
        message: `a service provider must say which service it provides: ${serviceKinds.join(', ')}`,
      });
    }
    if (recipient.kind !== 'service-provider' && recipient.service !== undefined) {
      ctx.issues.push({
        code: 'custom',
        input: recipient,
        path: ['service'],
        message: 'only service providers take a service kind',
      });
    }
  });

export const safeguards = [
  'adequacy-decision',
  'standard-contractual-clauses',
  'binding-corporate-rules',
  'data-privacy-framework',
  'consent',
  'contract-necessity',
] as const;

export const Transfer = z.strictObject({
  /** Country codes, or `*` for "wherever the subject is". */
  from: z.union([z.literal('*'), Country]),
  to: Country,
  safeguard: z.enum(safeguards),
  description: Text.optional(),
});

export const SocialPage = z.strictObject({
  platform: z.enum(['instagram', 'facebook', 'medium', 'twitter', 'youtube', 'linkedin', 'tiktok', 'github']),
  name: Text,
  url: z.url({ protocol: /^https$/, error: 'must be an https URL' }),
});

export const Choice = z.strictObject({
  feature: Id,
  name: Text,
  requires: z.array(Id).min(1),
});

export const changeNotices = ['page', 'email'] as const;

/** A language tag such as `fr` or `pt-BR`. */
const LanguageCode = z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a language code such as fr or pt-BR');

/** The declaration's own texts in another language; anything not translated is shown in the original. */
export const Translation = z.strictObject({
  /** Cookie-category id → its name and description in this language. */
  cookies: z.record(Id, z.strictObject({ name: Text, description: Text })).optional(),
});

export const Declaration = z.strictObject({
  organization: z.strictObject({
    name: Text,
    shortName: Text,
    contactEmail: z.email({ error: 'must be an e-mail address' }),
    affiliates: z.boolean().default(false),
  }),
  scope: z.strictObject({
    site: Text,
    services: Text,
    /**
     * The origins of the company's sites that load the SDK from Vow's own address
     * (`https://www.example.com`): the public routes the SDK calls answer CORS for these, and no others.
     */
    origins: z.array(SiteOrigin).default([]),
  }),
  purposes: z.array(Purpose).min(1),
  categories: z.array(Category).min(1),
  aggregation: z
    .strictObject({
      purposes: z.array(Id).min(1),
      publish: z.boolean(),
      /**
       * The differential-privacy budget (total epsilon) each data set may spend on
       * released statistics, as a decimal ("1", "0.5") or fraction ("1/3"); "1" when absent.
       */
      privacyBudget: z
        .string()
        .regex(/^(\d{1,20}(\.\d{1,20})?|\d{1,20}\/[1-9]\d{0,19})$/, 'must be a non-negative decimal (like 1 or 0.5) or fraction (like 1/3)')
        .optional(),
    })
    .optional(),
  socialPages: z.array(SocialPage).default([]),
  cookies: z.array(CookieCategory).default([]),
  recipients: z.array(Recipient).default([]),
  minimumAge: z.number().int().min(0).max(21),
  transfers: z.array(Transfer).default([]),
  signals: z.strictObject({
    doNotTrack: z.enum(['honor', 'ignore']),
    globalPrivacyControl: z.enum(['honor', 'ignore']),
  }),
  /**
   * The consent model by region: `opt-in` (nothing but what is strictly necessary before a
   * choice: the EU, the EEA, the UK, Switzerland) or `opt-out` (notice, and everything on
   * until the visitor opts out, an honored GPC signal counting as an opt-out: US states).
   * The most specific region wins (`US-CA` over `US` over `EU`); `default` for the rest.
   */
  consentModels: z
    .strictObject({
      default: z.enum(consentModelNames).default('opt-in'),
      regions: z.array(z.strictObject({ regions: z.array(ModelRegion).min(1), model: z.enum(consentModelNames) })).default([]),
    })
    .default({ default: 'opt-in', regions: [] }),
  security: z.strictObject({
    measures: z.array(Text).min(1),
    /**
     * The warning that e-mail is not secure, as a sentence that stands on its own: the page
     * states it in section 7, every form that asks for an e-mail address shows it beside the
     * field, and every mail to a person ends with it. Absent: none of them says anything.
     */
    emailWarning: Text.optional(),
  }),
  choices: z.array(Choice).default([]),
  links: z.strictObject({
    /** Show a notice that the other site's own policy applies before leaving. */
    notice: z.boolean(),
    sites: z
      .array(z.strictObject({ name: Text, url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }) }))
      .default([]),
  }),
  changes: z.strictObject({
    notify: z.array(z.enum(changeNotices)).min(1),
    /** How a subject accepts a new version: explicitly, or by continuing to use the Services. */
    acceptance: z.enum(['explicit', 'continued-use']),
  }),
  /** Data-subject requests: the law whose deadlines apply when neither the request nor the subject's region says, and how long a verification code lives. */
  requests: z
    .strictObject({
      defaultJurisdiction: z.enum(['gdpr', 'ccpa']).default('gdpr'),
      verificationHours: z.number().int().min(1).max(168).optional(),
    })
    .optional(),
  /**
   * The company's own databases and services holding personal data, which requests reach.
   * Absent rather than defaulted to an empty list, so that declarations written before it
   * keep their content hash (a default would publish a new version of each).
   */
  systems: z.array(DeclaredSystem).optional(),
  /** Language code → translated texts, for the consent banner. */
  translations: z
    .record(LanguageCode, Translation, {
      error: (issue) => (issue.code === 'invalid_key' ? 'must be a language code such as fr or pt-BR' : undefined),
    })
    .optional(),
});

/** The declaration as written in the file (defaults not yet applied). */
export type DeclarationInput = z.input<typeof Declaration>;
/** The declaration after validation, with defaults applied. */
export type Declaration = z.output<typeof Declaration>;
export type Category = z.output<typeof Category>;
export type Purpose = z.output<typeof Purpose>;
export type Recipient = z.output<typeof Recipient>;
export type CookieCategory = z.output<typeof CookieCategory>;
export type Transfer = z.output<typeof Transfer>;
export type Translation = z.output<typeof Translation>;
