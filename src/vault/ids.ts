import { randomBytes } from 'node:crypto';

/** Pseudonymous ids: random, meaningless outside Vow, safe to log and audit. */
export const idPattern = (prefix: string) => new RegExp(`^${prefix}_[A-Za-z0-9_-]{22}$`);
export const newId = (prefix: 'sub' | 'rec' | 'agg'): string => `${prefix}_${randomBytes(16).toString('base64url')}`;
export const subjectIdPattern = idPattern('sub');
