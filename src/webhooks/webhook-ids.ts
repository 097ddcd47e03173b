import { randomBytes } from 'node:crypto';

/** Random ids, meaningless outside Vow, like the vault's. */
/** What `newWebhookId('whk')` makes: checked at the edge so a malformed id is a 400, never a database error. */
export const webhookEndpointIdPattern = /^whk_[A-Za-z0-9_-]{22}$/;

export const newWebhookId = (prefix: 'whk' | 'whd' | 'wha' | 'hold' | 'era'): string => `${prefix}_${randomBytes(16).toString('base64url')}`;
