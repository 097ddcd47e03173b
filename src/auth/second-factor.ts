/**
 * The optional second factor of a staff account: TOTP (RFC 6238, `otpauth`), six digits
 * every 30 seconds from a secret the authenticator app holds. A code is taken once: its
 * time step must be later than the last one accepted, so a code seen over a shoulder or
 * in a log cannot be replayed, even within its 30 seconds.
 */
import { Secret, TOTP } from 'otpauth';

const ISSUER = 'Vow';
const PERIOD = 30;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

const totpOf = (secret: string, label: string) => new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });

/** The `otpauth://` address an authenticator app reads (as a QR code or typed in). */
export function totpUri(secret: string, label: string): string {
  return totpOf(secret, label).toString();
}

/**
 * The time step of `code` when it is right now (one step of clock drift either way) and
 * later than `lastStep`; undefined otherwise.
 */
export function acceptedStep(secret: string, code: string, lastStep: number | null, now: Date = new Date()): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const totp = totpOf(secret, 'check');
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: 1 });
  if (delta === null) return undefined;
  const step = totp.counter({ timestamp: now.getTime() }) + delta;
  return lastStep !== null && step <= lastStep ? undefined : step;
}

/** The code of a time: for tests, and nothing else. */
export function totpCodeAt(secret: string, at: Date): string {
  return totpOf(secret, 'check').generate({ timestamp: at.getTime() });
}
