/**
 * Sends due webhook deliveries: each claimed by one process, signed, POSTed, and its
 * attempt recorded (time, status code or error, next attempt). Anything but a 2xx is
 * retried with exponential backoff, capped, until a 2xx acknowledges it.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Keyring } from '../vault/keyring.js';
import { sendGuarded } from './guarded-request.js';
import { signatureHeader } from './sign-webhook.js';
import { claimDelivery, dueDeliveries, findEndpoint, recordAttempt, type DeliveryRow } from './webhook.repository.js';
import { loadWebhooksKey, openSecret } from './webhook-secret.js';
import { newWebhookId } from './webhook-ids.js';

export const FIRST_RETRY_MS = 30_000;
export const MAX_RETRY_MS = 6 * 60 * 60 * 1000;
const TIMEOUT_MS = 10_000;
/** Longer than a send can take, so a claimed delivery is not sent twice meanwhile; a crashed process's claim expires. */
const LEASE_MS = 60_000;
const BATCH = 50;

export interface DeliveryDeps {
  db: Kysely<Database>;
  keyring: Keyring;
  /** The operator's leave for webhooks to reach loopback and private addresses (egress-guard.ts); off when absent. */
  webhookPrivateAddresses?: boolean | undefined;
}

export interface DeliveryReport {
  attempted: number;
  delivered: number;
  failed: number;
}

/** The wait after the n-th failed attempt (1-based): 30 s, 1 min, 2 min, … capped at 6 h. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failedAttempts - 1));
}

/** Attempts every delivery due at `now` (or only `ids`, when kicked right after queueing them). */
export async function deliverWebhooks(deps: DeliveryDeps, options: { now?: Date; ids?: readonly string[] } = {}): Promise<DeliveryReport> {
  const report: DeliveryReport = { attempted: 0, delivered: 0, failed: 0 };
  const now = options.now ?? new Date();
  const due = await dueDeliveries(deps.db, now.toISOString(), BATCH, options.ids);
  if (due.length === 0) return report;
  const key = await loadWebhooksKey(deps.db, deps.keyring);
  for (const delivery of due) {
    if (!(await claimDelivery(deps.db, delivery, new Date(now.getTime() + LEASE_MS).toISOString()))) continue;
    report.attempted += 1;
    const ok = await attempt(deps, key, delivery, now, options.now === undefined);
    if (ok) report.delivered += 1;
    else report.failed += 1;
  }
  return report;
}

async function attempt(deps: DeliveryDeps, key: Buffer, delivery: DeliveryRow, now: Date, realTime: boolean): Promise<boolean> {
  const { db } = deps;
  const endpoint = await findEndpoint(db, delivery.endpointId);
  let statusCode: number | null = null;
  let error: string | null = null;
  if (!endpoint || endpoint.revokedAt !== null) {
    error = 'endpoint removed';
  } else {
    try {
      const secret = openSecret(key, endpoint.id, endpoint.secret);
      const timestamp = Math.floor(now.getTime() / 1000);
      statusCode = await post(
        new URL(endpoint.url),
        { 'content-type': 'application/json', 'vow-signature': signatureHeader(secret, delivery.body, timestamp), 'vow-delivery': delivery.id },
        delivery.body,
        deps.webhookPrivateAddresses === true,
      );
    } catch (caught) {
      error = describeError(caught);
    }
  }
  const delivered = statusCode !== null && statusCode >= 200 && statusCode < 300;
  const attempts = delivery.attempts + 1;
  // With a real clock, the attempt is dated when it ended; a caller-given `now` keeps tests exact.
  const at = realTime ? new Date() : now;
  const nextAttemptAt = delivered ? null : new Date(at.getTime() + retryDelayMs(attempts)).toISOString();
  await db.transaction().execute((trx) =>
    recordAttempt(trx, { id: newWebhookId('wha'), deliveryId: delivery.id, at: at.toISOString(), statusCode, error, nextAttemptAt }, { delivered, attempts }),
  );
  return delivered;
}

/** POSTs the body through the egress guard and answers the status; the recipient's answer is drained, not kept. */
async function post(url: URL, headers: Record<string, string>, body: string, allowPrivate: boolean): Promise<number> {
  return (await sendGuarded(url, { method: 'POST', headers, body, allowPrivate, timeoutMs: TIMEOUT_MS, maxAnswerBytes: 0 })).status;
}

/** A short, fixed-vocabulary description: the error text of a failed request could echo the URL. */
function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
    if ('code' in error && error.code === 'EADDRNOTPUBLIC') return 'refused: non-public address';
    if ('code' in error && typeof error.code === 'string') return `network error (${error.code})`;
    const cause = error.cause;
    if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') return `network error (${cause.code})`;
    return 'network error';
  }
  return 'network error';
}

/** Sends these just-queued deliveries in the background; the scheduled job retries whatever this misses. */
export function kickDeliveries(deps: DeliveryDeps, ids: readonly string[]): void {
  if (ids.length === 0) return;
  deliverWebhooks(deps, { ids }).catch(() => undefined);
}
