/**
 * Which law's clock a request runs on, and its deadlines. GDPR (EU, EEA, UK): one month
 * from receipt, extendable by two more. CCPA (California): 45 days, extendable by 45,
 * with an acknowledgement within 10 business days. The clock starts at receipt, before
 * the requester's identity is verified.
 */
import type { Declaration } from '../policy/declaration.js';

export const jurisdictions = ['gdpr', 'ccpa'] as const;
export type Jurisdiction = (typeof jurisdictions)[number];

/** EU member states, the other EEA states (IS, LI, NO) and the United Kingdom (UK GDPR). */
const gdprCountries: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
  'IS', 'LI', 'NO',
  'GB',
]);

/**
 * The jurisdiction of a region code (`FR`, `US-CA`, `UK`), or undefined when none of ours applies.
 *
 *   jurisdictionOfRegion('de')     // 'gdpr'
 *   jurisdictionOfRegion('US-CA')  // 'ccpa'
 *   jurisdictionOfRegion('US-NY')  // undefined
 */
export function jurisdictionOfRegion(region: string): Jurisdiction | undefined {
  const code = region.trim().toUpperCase();
  if (code === 'US-CA') return 'ccpa';
  const country = code === 'UK' ? 'GB' : code.split('-')[0] ?? '';
  return gdprCountries.has(country) ? 'gdpr' : undefined;
}

/** From the request's hint (a jurisdiction or a region), else the subject's region, else the declaration's default. */
export function chooseJurisdiction(declaration: Pick<Declaration, 'requests'>, hint: string | undefined, subjectRegion: string | null | undefined): Jurisdiction {
  for (const candidate of [hint, subjectRegion]) {
    if (!candidate) continue;
    const lower = candidate.trim().toLowerCase();
    if (lower === 'gdpr' || lower === 'ccpa') return lower;
    const found = jurisdictionOfRegion(candidate);
    if (found) return found;
  }
  return declaration.requests?.defaultJurisdiction ?? 'gdpr';
}

export interface Deadlines {
  /** The first period's end. */
  due: Date;
  /** The end of the period once extended. */
  extended: Date;
}

export function deadlinesOf(jurisdiction: Jurisdiction, receivedAt: Date): Deadlines {
  return jurisdiction === 'gdpr'
    ? { due: addMonths(receivedAt, 1), extended: addMonths(receivedAt, 3) }
    : { due: addDays(receivedAt, 45), extended: addDays(receivedAt, 90) };
}

/** How the law words the extension, for notices. */
export function extensionWords(jurisdiction: Jurisdiction): string {
  return jurisdiction === 'gdpr' ? 'by up to two further months (GDPR article 12(3))' : 'by up to 45 further days (CCPA)';
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 24 * 60 * 60 * 1000);
}

/** Calendar months in UTC; a day the target month lacks becomes its last day (31 January + 1 month = 28 or 29 February). */
export function addMonths(date: Date, months: number): Date {
  const target = new Date(date.getTime());
  const day = date.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}

/** How many days a request has left (negative when overdue), and whether it needs attention: within 7 days or past due. */
export function dueState(dueAt: Date, now: Date): { daysLeft: number; nearDue: boolean; overdue: boolean } {
  const daysLeft = Math.floor((dueAt.getTime() - now.getTime()) / (24 * 60 * 60 * 1000));
  const overdue = dueAt.getTime() < now.getTime();
  return { daysLeft, overdue, nearDue: !overdue && dueAt.getTime() - now.getTime() <= NEAR_DUE_MS };
}

export const NEAR_DUE_MS = 7 * 24 * 60 * 60 * 1000;
