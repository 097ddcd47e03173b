/**
 * The signature recipients check: HMAC-SHA256 under the endpoint's secret over
 * `${timestamp}.${body}`, sent as `Vow-Signature: t=<unix seconds>,v1=<hex>`. The
 * timestamp inside the signed text lets a recipient refuse replays of old notices.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'vow-signature';

export function signatureHeader(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** What a recipient does (docs/webhooks.md): true when the header signs this body within `toleranceSeconds`. */
export function verifySignature(secret: string, body: string, header: string, options: { now?: Date; toleranceSeconds?: number } = {}): boolean {
  const parts = new Map(header.split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.get('t'));
  const signature = parts.get('v1') ?? '';
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(signature)) return false;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  return timingSafeEqual(Buffer.from(signature, 'hex'), Buffer.from(hmac(secret, timestamp, body), 'hex'));
}
