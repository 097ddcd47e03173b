/**
 * The browser's pseudonymous visitor id, kept in the first-party cookie beside the
 * choices: `vis_` and 22 base64url characters (128 random bits). The server knows it
 * only through a blind index (identifier kind `visitor`), like an e-mail address.
 */
import { randomBytes } from 'node:crypto';
import { idPattern } from '../vault/ids.js';

export const visitorIdPattern = idPattern('vis');

export function newVisitorId(): string {
  return `vis_${randomBytes(16).toString('base64url')}`;
}
