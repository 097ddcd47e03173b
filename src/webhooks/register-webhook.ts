/** Registering, listing and removing recipients' webhook endpoints; each change audited. */
import { appendAudit } from '../audit/append-audit.js';
import { VowError } from '../errors.js';
import type { VaultContext } from '../vault/vault-context.js';
import { checkDestination } from './egress-guard.js';
import { insertEndpoint, listEndpoints, revokeEndpoint, type EndpointRow } from './webhook.repository.js';
import { loadWebhooksKey, newWebhookSecret, sealSecret } from './webhook-secret.js';
import { newWebhookId } from './webhook-ids.js';

export interface WebhookEndpoint {
  id: string;
  recipient: string;
  url: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

const publicView = (row: EndpointRow): WebhookEndpoint => ({
  id: row.id,
  recipient: row.recipient,
  url: row.url,
  createdAt: row.createdAt,
  createdBy: row.createdBy,
  revokedAt: row.revokedAt,
});

/** Registers an endpoint of a declared recipient; the signing secret is returned here once and never shown again. */
export async function registerWebhook(
  ctx: VaultContext,
  options: { recipient: string; url: string; actor: string; now?: Date },
): Promise<WebhookEndpoint & { secret: string }> {
  if (!ctx.declaration.recipients.some((recipient) => recipient.id === options.recipient)) {
    throw new VowError('bad_request', `${options.recipient} is not a declared recipient`, [{ path: 'recipient', message: 'is not declared' }]);
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new VowError('bad_request', 'url is not a URL', [{ path: 'url', message: 'is not a URL' }]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new VowError('bad_request', 'url must be http or https', [{ path: 'url', message: 'must be http(s)' }]);
  if (url.username !== '' || url.password !== '') throw new VowError('bad_request', 'url must not hold credentials', [{ path: 'url', message: 'holds credentials' }]);
  await checkDestination(url, ctx.webhookPrivateAddresses === true);
  const now = options.now ?? new Date();
  const id = newWebhookId('whk');
  const secret = newWebhookSecret();
  const row: EndpointRow = {
    id,
    recipient: options.recipient,
    url: url.toString(),
    secret: sealSecret(await loadWebhooksKey(ctx.db, ctx.keyring), id, secret),
    createdAt: now.toISOString(),
    createdBy: options.actor,
    revokedAt: null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await insertEndpoint(trx, row);
    await appendAudit(trx, { actor: options.actor, action: 'webhook.registered', target: `webhook:${id}`, data: { recipient: row.recipient, url: row.url } }, now);
  });
  return { ...publicView(row), secret };
}

export async function listWebhooks(ctx: VaultContext, options: { includeRemoved?: boolean } = {}): Promise<WebhookEndpoint[]> {
  return (await listEndpoints(ctx.db, { includeRevoked: options.includeRemoved ?? false })).map(publicView);
}

/** Removes the endpoint; its pending deliveries are cancelled (recorded, never sent). */
export async function removeWebhook(ctx: VaultContext, options: { id: string; actor: string; now?: Date }): Promise<{ cancelled: number }> {
  const now = options.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const { revoked, cancelled } = await revokeEndpoint(trx, options.id, now.toISOString());
    if (!revoked) throw new VowError('not_found', 'no such webhook');
    await appendAudit(trx, { actor: options.actor, action: 'webhook.removed', target: `webhook:${options.id}`, data: { cancelled } }, now);
    return { cancelled };
  });
}
