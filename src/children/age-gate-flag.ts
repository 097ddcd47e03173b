/**
 * The neutral age screen's memory: after the age gate refused, the browser keeps a flag,
 * one constant value that says nothing of who was refused or with which date, and the
 * next sign-up from that browser is refused before its birth date is even read, so that
 * the gate does not invite a second try with another date. The flag is a cookie like any
 * other: set only when the declaration lists it among its strictly necessary cookies, so
 * that the page never leaves out a cookie Vow sets.
 */
import { VowError } from '../errors.js';
import type { Declaration } from '../policy/declaration.js';
import { cutoff } from '../retention/retention-cutoff.js';

export const AGE_GATE_COOKIE = 'vow_age_gate';
const REFUSED = 'refused';

/** The refusal every sign-up under the minimum age gets, the remembered one included: one wording, nothing stored. */
export function underMinimumAge(declaration: Pick<Declaration, 'organization' | 'minimumAge'>): VowError {
  return new VowError(
    'under_minimum_age',
    `${declaration.organization.shortName} does not collect personal information from children under ${declaration.minimumAge}; nothing was stored`,
  );
}

/** The declared flag cookie's lifetime in seconds (or `session`), or undefined when the declaration does not list it (then none is set). */
export function ageGateFlagLifetime(declaration: Pick<Declaration, 'cookies' | 'minimumAge'>, now = new Date()): number | 'session' | undefined {
  if (declaration.minimumAge === 0) return undefined;
  const cookie = declaration.cookies.filter((group) => group.necessary).flatMap((group) => group.cookies).find((declared) => declared.name === AGE_GATE_COOKIE && !declared.pattern);
  if (!cookie) return undefined;
  if (cookie.duration === 'session') return 'session';
  return Math.max(1, Math.round((now.getTime() - cutoff(now, cookie.duration).getTime()) / 1000));
}

/** Whether a request's Cookie header carries the flag. */
export function refusedBefore(cookieHeader: string | undefined): boolean {
  return cookieHeader !== undefined && cookieHeader.split(';').some((pair) => pair.trim() === `${AGE_GATE_COOKIE}=${REFUSED}`);
}

/** The Set-Cookie value of the flag: HttpOnly, since no script needs it; Secure over HTTPS. */
export function ageGateFlagCookie(lifetime: number | 'session', secure: boolean): string {
  const maxAge = lifetime === 'session' ? '' : `; Max-Age=${lifetime}`;
  return `${AGE_GATE_COOKIE}=${REFUSED}${maxAge}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}
