import { randomBytes } from 'node:crypto';
import { idPattern } from '../vault/ids.js';

/** Random ids of endpoints, deliveries, attempts, holds, erasure proofs and recipient tasks, meaningless outside Vow, like the vault's. */
export const newWebhookId = (prefix: 'whk' | 'whd' | 'wha' | 'hold' | 'era' | 'rtk'): string => `${prefix}_${randomBytes(16).toString('base64url')}`;

/** Checked at the edge, so that a malformed id is a 400 and never a database error. */
export const webhookEndpointIdPattern = idPattern('whk');
export const holdIdPattern = idPattern('hold');
export const recipientTaskIdPattern = idPattern('rtk');
