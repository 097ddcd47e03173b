/**
 * The first-party consent cookie (`vow_consent`, declared strictly necessary). It holds
 * only the visitor id, the policy version the choice was made under, and the choices:
 * `vis_…|3|analytics:g|advertising:a` (g granted, r refused, a ask each time).
 */
import type { Choice, Choices } from './types.js';

export const CONSENT_COOKIE = 'vow_consent';
const ONE_YEAR_S = 365 * 24 * 60 * 60;

export interface StoredConsent {
  /** `vis_…`, or '' when the decision could not be recorded. */
  visitorId: string;
  /** 0 when only the preference form was used: the id is kept, and the banner still asks about cookies. */
  policyVersion: number;
  choices: Choices;
}

const codeOf: Record<Choice, string> = { granted: 'g', refused: 'r', ask: 'a' };
const choiceOf: Record<string, Choice | undefined> = { g: 'granted', r: 'refused', a: 'ask' };

/** The value of a cookie of this page, or undefined. */
export function readCookie(name: string): string | undefined {
  for (const pair of document.cookie.split(';')) {
    const at = pair.indexOf('=');
    if (pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

export function encodeConsent(consent: StoredConsent): string {
  const parts = Object.keys(consent.choices).map((id) => `${encodeURIComponent(id)}:${codeOf[consent.choices[id] ?? 'refused']}`);
  return [consent.visitorId, String(consent.policyVersion), ...parts].join('|');
}

/** The stored consent, or undefined when there is none or it is not ours. */
export function decodeConsent(value: string | undefined): StoredConsent | undefined {
  if (!value) return undefined;
  const [visitorId = '', version = '', ...parts] = value.split('|');
  const policyVersion = Number(version);
  if (!/^(vis_[\w-]{22})?$/.test(visitorId) || !Number.isInteger(policyVersion)) return undefined;
  const choices: Choices = {};
  for (const part of parts) {
    const at = part.lastIndexOf(':');
    const choice = choiceOf[part.slice(at + 1)];
    if (at < 1 || !choice) return undefined;
    try {
      choices[decodeURIComponent(part.slice(0, at))] = choice;
    } catch {
      return undefined;
    }
  }
  return { visitorId, policyVersion, choices };
}

export function readConsent(): StoredConsent | undefined {
  return decodeConsent(readCookie(CONSENT_COOKIE));
}

export function writeConsent(consent: StoredConsent): void {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${CONSENT_COOKIE}=${encodeConsent(consent)}; Path=/; Max-Age=${ONE_YEAR_S}; SameSite=Lax${secure}`;
}
