import { randomBytes } from 'node:crypto';

/** Random ids, meaningless outside Vow, like the vault's. */
export const newWebhookId = (prefix: 'whk' | 'whd' | 'wha' | 'hold' | 'era'): string => `${prefix}_${randomBytes(16).toString('base64url')}`;
