import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { verifyAudit } from '../audit/verify-audit.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { openVault } from '../vault/open-vault.js';
import { isPublicAddress } from './egress-guard.js';
import type { VaultContext } from '../vault/vault-context.js';
import { deliverWebhooks, FIRST_RETRY_MS } from './deliver-webhooks.js';
import { listWebhookDeliveries } from './list-deliveries.js';
import { notifyRecipients } from './notify-recipients.js';
import { registerWebhook, removeWebhook } from './register-webhook.js';
import { verifySignature } from './sign-webhook.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real recipient endpoint: answers each request with the next status of `statuses` (the last one repeats). */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/vow`, received, close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

const now = new Date('2026-03-01T10:00:00.000Z');

async function seedDisclosed(vault: VaultContext, subjectId: string, recipient: string): Promise<void> {
  const at = now.toISOString();
  await vault.db.insertInto('subjects').values({ id: subjectId, kind: 'account', region: null, created_at: at, last_activity_at: at, closed_at: null }).execute();
  await vault.db
    .insertInto('disclosures')
    .values({ id: `dis-${subjectId}`, recipient, purpose: 'communicate', categories: '["account"]', country: 'US', kind: 'disclosure', details: '{}', actor: 'key:t', created_at: at, subject_count: 1, manifest_hash: 'm' })
    .execute();
  await vault.db.insertInto('disclosure_subjects').values({ disclosure_id: `dis-${subjectId}`, subject_id: subjectId }).execute();
}

describeEachDatabase('webhooks to recipients', (database) => {
  const withVault = (test: (vault: VaultContext) => Promise<void>) =>
    withStore(database(), async (store) => {
      const { declaration } = await loadDeclaration(examplePolicy);
      // The recipient listens on loopback: the operator's leave for that is given.
      await test(await openVault({ db: store.db, dataDir: database().dataDir, masterKeys: undefined, webhookPrivateAddresses: true, declaration }));
    });

  it('signs each notice so that the recipient can verify it, and records the acknowledged attempt', () =>
    withVault(async (vault) => {
      const endpoint = await receiver([204]);
      try {
        const hook = await registerWebhook(vault, { recipient: 'email', url: endpoint.url, actor: 'key:admin', now });
        expect(hook.secret).toMatch(/^whsec_/);
        const stored = await vault.db.selectFrom('webhook_endpoints').select('secret').executeTakeFirstOrThrow();
        expect(stored.secret).not.toContain(hook.secret);
        await seedDisclosed(vault, 'sub-1', 'email');

        const queued = await vault.db.transaction().execute((trx) => notifyRecipients(vault, trx, { subjectId: 'sub-1', event: 'correction', fields: ['name', 'email'], now }));
        expect(queued).toEqual(['email']);
        expect(await deliverWebhooks(vault, { now })).toEqual({ attempted: 1, delivered: 1, failed: 0 });

        const [request] = endpoint.received;
        expect(JSON.parse(request?.body ?? '')).toEqual({ event: 'correction', subjectId: 'sub-1', recipient: 'email', at: now.toISOString(), disclosures: ['dis-sub-1'], fields: ['email', 'name'] });
        const header = String(request?.headers['vow-signature']);
        expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
        expect(verifySignature(hook.secret, request?.body ?? '', header, { now })).toBe(true);
        expect(verifySignature(hook.secret, `${request?.body ?? ''} `, header, { now })).toBe(false);
        expect(verifySignature('whsec_other', request?.body ?? '', header, { now })).toBe(false);

        const [delivery] = await listWebhookDeliveries(vault.db, { limit: 10 });
        expect(delivery).toMatchObject({ status: 'delivered', attempts: [{ at: now.toISOString(), statusCode: 204, error: null, nextAttemptAt: null }] });
        // Nothing is due any more.
        expect(await deliverWebhooks(vault, { now: new Date(now.getTime() + 86_400_000) })).toEqual({ attempted: 0, delivered: 0, failed: 0 });
      } finally {
        await endpoint.close();
      }
    }));

  it('retries with exponential backoff until a 2xx acknowledges, recording every attempt', () =>
    withVault(async (vault) => {
      const endpoint = await receiver([500, 503, 200]);
      try {
        await registerWebhook(vault, { recipient: 'email', url: endpoint.url, actor: 'key:admin', now });
        await seedDisclosed(vault, 'sub-2', 'email');
        await vault.db.transaction().execute((trx) => notifyRecipients(vault, trx, { subjectId: 'sub-2', event: 'erasure', now }));

        expect(await deliverWebhooks(vault, { now })).toMatchObject({ attempted: 1, failed: 1 });
        const early = new Date(now.getTime() + FIRST_RETRY_MS - 1000);
        expect(await deliverWebhooks(vault, { now: early })).toMatchObject({ attempted: 0 });
        const second = new Date(now.getTime() + FIRST_RETRY_MS);
        expect(await deliverWebhooks(vault, { now: second })).toMatchObject({ attempted: 1, failed: 1 });
        // The wait doubles: 30 s, then 60 s.
        const third = new Date(second.getTime() + 2 * FIRST_RETRY_MS);
        expect(await deliverWebhooks(vault, { now: third })).toMatchObject({ attempted: 1, delivered: 1 });

        const [delivery] = await listWebhookDeliveries(vault.db, { limit: 10 });
        expect(delivery?.status).toBe('delivered');
        expect(delivery?.attempts).toEqual([
          { at: now.toISOString(), statusCode: 500, error: null, nextAttemptAt: second.toISOString() },
          { at: second.toISOString(), statusCode: 503, error: null, nextAttemptAt: third.toISOString() },
          { at: third.toISOString(), statusCode: 200, error: null, nextAttemptAt: null },
        ]);
        expect(endpoint.received).toHaveLength(3);
      } finally {
        await endpoint.close();
      }
    }));

  it('records a network failure as an error and cancels pending deliveries when the endpoint is removed', () =>
    withVault(async (vault) => {
      const endpoint = await receiver([200]);
      const url = endpoint.url;
      await endpoint.close();
      const hook = await registerWebhook(vault, { recipient: 'email', url, actor: 'key:admin', now });
      await seedDisclosed(vault, 'sub-3', 'email');
      await vault.db.transaction().execute((trx) => notifyRecipients(vault, trx, { subjectId: 'sub-3', event: 'erasure', now }));
      expect(await deliverWebhooks(vault, { now })).toMatchObject({ failed: 1 });
      const [failed] = await listWebhookDeliveries(vault.db, { limit: 10 });
      expect(failed?.attempts[0]).toMatchObject({ statusCode: null, error: expect.stringContaining('network error') as unknown });
      expect(await removeWebhook(vault, { id: hook.id, actor: 'key:admin', now })).toEqual({ cancelled: 1 });
      expect(await deliverWebhooks(vault, { now: new Date(now.getTime() + 86_400_000) })).toMatchObject({ attempted: 0 });
      expect(await verifyAudit(vault.db)).toMatchObject({ ok: true });
    }));

  it('refuses an undeclared recipient and a URL that is not http(s)', () =>
    withVault(async (vault) => {
      await expect(registerWebhook(vault, { recipient: 'data-broker', url: 'https://example.com/', actor: 'key:admin' })).rejects.toMatchObject({ code: 'bad_request' });
      await expect(registerWebhook(vault, { recipient: 'email', url: 'ftp://example.com/', actor: 'key:admin' })).rejects.toMatchObject({ code: 'bad_request' });
      await expect(registerWebhook(vault, { recipient: 'email', url: 'not a url', actor: 'key:admin' })).rejects.toMatchObject({ code: 'bad_request' });
    }));
});

describeEachDatabase('webhooks never reach the operator’s own network without leave', (database) => {
  it('refuses loopback, private and metadata addresses at registration, and at connection when a name turns private', () =>
    withStore(database(), async (store) => {
      const { declaration } = await loadDeclaration(examplePolicy);
      const guarded = await openVault({ db: store.db, dataDir: database().dataDir, masterKeys: undefined, declaration });
      for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'http://[::ffff:127.0.0.1]/x', 'http://192.168.0.10/x']) {
        await expect(registerWebhook(guarded, { recipient: 'email', url, actor: 'key:admin', now }), url).rejects.toMatchObject({ code: 'bad_request', problems: [{ path: 'url' }] });
      }
      expect(isPublicAddress('93.184.215.14')).toBe(true);
      expect(isPublicAddress('2606:2800:21f:cb07:6820:80da:af6b:8b2c')).toBe(true);

      // Registered with leave, then the leave withdrawn: the connection itself is refused, and nothing reaches the listener.
      const endpoint = await receiver([204]);
      try {
        const allowed = await openVault({ db: store.db, dataDir: database().dataDir, masterKeys: undefined, webhookPrivateAddresses: true, declaration });
        await registerWebhook(allowed, { recipient: 'email', url: endpoint.url.replace('127.0.0.1', 'localhost'), actor: 'key:admin', now });
        await seedDisclosed(allowed, 'sub-ssrf', 'email');
        await allowed.db.transaction().execute((trx) => notifyRecipients(allowed, trx, { subjectId: 'sub-ssrf', event: 'erasure', now }));
        expect(await deliverWebhooks(guarded, { now })).toEqual({ attempted: 1, delivered: 0, failed: 1 });
        expect(endpoint.received).toEqual([]);
        const attempt = await store.db.selectFrom('webhook_attempts').select('error').executeTakeFirstOrThrow();
        expect(attempt.error).toBe('refused: non-public address');
      } finally {
        await endpoint.close();
      }
    }));
});
