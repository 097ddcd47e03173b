/**
 * Sends the outbox over SMTP: each due message is claimed (so two processes never send
 * it twice), sent with nodemailer, and marked sent; a failed attempt is recorded and
 * retried with exponential backoff, up to a limit after which the message is marked
 * failed and stays listed for the operator. Errors recorded hold the SMTP reply code
 * only, never the address.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { appendAudit } from '../audit/append-audit.js';
import type { ScheduledJob } from '../jobs/scheduler.js';
import type { VaultContext } from '../vault/vault-context.js';
import { loadOutboxKey } from './outbox-key.js';
import { openMessage } from './outbox.js';
import { claimMessage, deleteSentBefore, dueMessages, markAttemptFailed, markSent } from './outbox.repository.js';

export const MAX_DELIVERY_ATTEMPTS = 8;
/** How long one attempt may hold its claim before another process may retry it. */
const CLAIM_MS = 5 * 60 * 1000;
const BATCH = 50;
/** Sent messages are kept this long for the operator, then deleted (the audit chain keeps that they were sent). */
export const SENT_KEEP_DAYS = 30;

export interface OutboxDeliveryOptions {
  smtpUrl: string;
  /** The From address; the declaration's contact e-mail when unset. */
  mailFrom: string | undefined;
}

export interface OutboxDeliverer {
  /** Sends what is due now; resolves with how many were sent and failed. */
  deliver(now?: Date): Promise<{ sent: number; failed: number }>;
  /** Starts a delivery soon, without waiting: called after a message is queued. */
  kick(): void;
  /** The scheduled job that retries on every tick. */
  job(interval?: number): ScheduledJob;
  close(): Promise<void>;
}

/** Minutes before retry n (1-based): 1, 2, 4, … capped at 6 hours. */
export function backoffMs(attempt: number): number {
  return Math.min(60_000 * 2 ** (attempt - 1), 6 * 60 * 60 * 1000);
}

/**
 * The transport for an SMTP URL. Mail carries codes and links to people's data, so it
 * goes encrypted: `smtps://` over TLS from the first byte, `smtp://` only after STARTTLS
 * (a server that offers none is refused). Plaintext takes an explicit `?tls=none` on the
 * URL (a relay on the same host, tests).
 */
export function smtpTransportOptions(smtpUrl: string): { url: string; requireTLS: boolean } {
  const url = new URL(smtpUrl);
  const plaintext = url.searchParams.get('tls') === 'none';
  url.searchParams.delete('tls');
  return { url: url.toString(), requireTLS: url.protocol === 'smtp:' && !plaintext };
}

export function createOutboxDeliverer(ctx: VaultContext, options: OutboxDeliveryOptions): OutboxDeliverer {
  const transport: Transporter = nodemailer.createTransport(smtpTransportOptions(options.smtpUrl));
  const from = options.mailFrom ?? ctx.declaration.organization.contactEmail;
  let running: Promise<{ sent: number; failed: number }> | undefined;
  /** Bumped by each call: a run that sees it moved looks again, so a message queued meanwhile is not left for the next tick. */
  let calls = 0;

  const deliverOnce = async (now: Date) => {
    const key = await loadOutboxKey(ctx.db, ctx.keyring);
    let sent = 0;
    let failed = 0;
    for (const row of await dueMessages(ctx.db, now.toISOString(), BATCH)) {
      if (!(await claimMessage(ctx.db, row.id, row.next_attempt_at, new Date(now.getTime() + CLAIM_MS).toISOString()))) continue;
      const message = openMessage(key, row);
      const attempts = row.attempts + 1;
      try {
        await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
        const at = new Date().toISOString();
        await ctx.db.transaction().execute(async (trx) => {
          await markSent(trx, row.id, attempts, at);
          await appendAudit(trx, { actor: 'system', action: 'outbox.sent', target: `message:${row.id}`, data: { kind: row.kind, attempts } });
        });
        sent += 1;
      } catch (error) {
        const giveUp = attempts >= MAX_DELIVERY_ATTEMPTS;
        await markAttemptFailed(ctx.db, row.id, {
          attempts,
          error: describeSmtpError(error),
          nextAttemptAt: new Date(Date.now() + backoffMs(attempts)).toISOString(),
          giveUp,
        });
        failed += 1;
      }
    }
    await deleteSentBefore(ctx.db, new Date(now.getTime() - SENT_KEEP_DAYS * 24 * 60 * 60 * 1000).toISOString());
    return { sent, failed };
  };

  const deliver = async (now: Date = new Date()) => {
    calls += 1;
    if (running) return running;
    running = (async () => {
      let total = { sent: 0, failed: 0 };
      for (;;) {
        const seen = calls;
        const result = await deliverOnce(now);
        total = { sent: total.sent + result.sent, failed: total.failed + result.failed };
        if (calls === seen) break;
        now = new Date();
      }
      return total;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    deliver,
    kick() {
      setImmediate(() => {
        deliver().catch(() => undefined);
      });
    },
    job(interval = 60_000) {
      return { name: 'outbox-delivery', interval, run: async (now) => {
        const { sent, failed } = await deliver(now);
        return `sent=${sent} failed=${failed}`;
      } };
    },
    async close() {
      await running?.catch(() => undefined);
      transport.close();
    },
  };
}

/** The SMTP reply code and a fixed word, never the server's text (which may quote the address). */
function describeSmtpError(error: unknown): string {
  const details = error as { responseCode?: unknown; code?: unknown };
  const code = typeof details.responseCode === 'number' ? `smtp ${details.responseCode}` : typeof details.code === 'string' ? details.code.slice(0, 40) : 'error';
  return `delivery failed (${code})`;
}
