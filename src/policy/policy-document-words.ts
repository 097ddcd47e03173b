/**
 * Plain English for the declaration's codes (`standard-contractual-clauses`, `P13M`,
 * `US`), so that the published policy reads as prose rather than as configuration.
 */
import type { legalBases, recipientKinds, Retention, safeguards, serviceKinds } from './declaration.js';
import type { z } from 'zod';

type LegalBasis = (typeof legalBases)[number];
type ServiceKind = (typeof serviceKinds)[number];
type RecipientKind = (typeof recipientKinds)[number];
type Safeguard = (typeof safeguards)[number];

export const legalBasisWords: Record<LegalBasis, string> = {
  consent: 'your consent',
  contract: 'performance of our contract with you',
  'legal-obligation': 'compliance with a legal obligation',
  'vital-interests': 'protection of your vital interests or those of another person',
  'public-task': 'a task carried out in the public interest',
  'legitimate-interests': 'our legitimate interests',
};

/** Worded as the reference policy lists its vendors ("providers of hosting services, …"). */
export const serviceKindWords: Record<ServiceKind, string> = {
  hosting: 'hosting services',
  cloud: 'cloud services',
  it: 'other information technology services',
  'event-management': 'event management services',
  'email-newsletters': 'email communication and newsletter services',
  'advertising-marketing': 'advertising and marketing services',
  'web-analytics': 'web analytics services',
};

export const recipientKindLabels: Record<RecipientKind, string> = {
  'service-provider': 'Vendors and Service Providers',
  'business-transfer': 'Business Transfers',
  'legal-authority': 'Legal Requirements',
  affiliate: 'Affiliates',
  'other-users': 'Other Users',
};

/** What a recipient is, as a column of the disclosure table says it. */
export const recipientKindWords: Record<RecipientKind, string> = {
  'service-provider': 'Service provider',
  'business-transfer': 'Party to a business transfer',
  'legal-authority': 'Public authority',
  affiliate: 'Affiliate',
  'other-users': 'Other users',
};

export const safeguardWords: Record<Safeguard, string> = {
  'adequacy-decision': 'a decision that the destination country protects personal information adequately',
  'standard-contractual-clauses': 'standard contractual clauses approved by the European Commission',
  'binding-corporate-rules': 'binding corporate rules approved by data protection authorities',
  'data-privacy-framework': 'the Data Privacy Framework',
  consent: 'your explicit consent',
  'contract-necessity': 'the transfer being necessary to perform our contract with you',
};

const retentionStarts: Record<z.output<typeof Retention>['from'], string> = {
  collection: 'after we collect it',
  'last-activity': 'after your last activity',
  'account-closure': 'after you close your account',
};

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** `US` → `United States`; an unknown code is shown as written rather than dropped. */
export function countryName(code: string): string {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Names read in a sentence with "the" ("in the United States", "from the Netherlands"). */
const takesArticle = /^(United |Netherlands$|Philippines$|Bahamas$|Gambia$|Maldives$|Comoros$|Seychelles$|Vatican City$)|( Islands| Republic| Emirates)$/;

/** `US` → `the United States`, `FR` → `France`: a country name as it reads mid-sentence. */
export function countryInProse(code: string): string {
  const name = countryName(code);
  return takesArticle.test(name) ? `the ${name}` : name;
}

export function listWords(items: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  return new Intl.ListFormat('en', { type: conjunction === 'and' ? 'conjunction' : 'disjunction' }).format(items);
}

const durationUnits = ['year', 'month', 'week', 'day', 'hour', 'minute', 'second'] as const;
const durationPattern =
  /^P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/** `P1Y6M` → `1 year and 6 months`; anything unexpected is shown as written. */
export function durationWords(iso: string): string {
  const match = durationPattern.exec(iso);
  if (!match) return iso;
  const parts = durationUnits.flatMap((unit, index) => {
    const amount = match[index + 1];
    if (amount === undefined) return [];
    const value = amount.replace(',', '.');
    return [`${value} ${unit}${value === '1' ? '' : 's'}`];
  });
  return parts.length === 0 ? iso : listWords(parts);
}

export function retentionWords(retention: z.output<typeof Retention>): string {
  return `${durationWords(retention.period)} ${retentionStarts[retention.from]}`;
}

/** `2025-01-31` or a full timestamp → `January 31, 2025` (UTC, so every reader sees one date). */
export function dateWords(iso: string): string {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

/** Declaration texts are written with or without a final stop; the policy needs one. */
export function asSentence(value: string): string {
  return /[.!?…:;]["”’)]?$/.test(value) ? value : `${value}.`;
}

/** "To send you our newsletter." → "to send you our newsletter", to sit inside a sentence. */
export function purposeInProse(description: string): string {
  return description.replace(/\.$/, '').replace(/^To /, 'to ');
}
