import { createServer, type IncomingHttpHeaders } from 'node:http';
import { publishPolicy } from '../src/policy/publish-policy.js';
import { sendPolicyNotices } from '../src/policy-notices/send-policy-notices.js';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { verifyAudit } from '../src/audit/verify-audit.js';
import { runCli } from '../src/cli/run-cli.js';
import type { Config } from '../src/config.js';
import { verifySignature } from '../src/webhooks/sign-webhook.js';
import { describeEachDatabase } from './support/databases.js';

interface ErrorJson {
  error: { code: string; message: string };
}

async function withVow(config: Config, test: (vow: Vow, keys: { admin: string; support: string }) => Promise<void>) {
  const vow = await createVow(config);
  try {
    const admin = (await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret;
    const support = (await issueApiKey(vow.store.db, { role: 'support', purposes: ['communicate'], actor: 'test' })).secret;
    await test(vow, { admin, support });
  } finally {
    await vow.close();
  }
}

describeEachDatabase('erasure, legal holds and webhooks over HTTP', (database) => {
  it('erases a subject for staff, and tells the recipient that received its data through a signed webhook', async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    let arrived: () => void = () => undefined;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200).end();
        arrived();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notices`;
    try {
      // The recipient listens on loopback: the operator's leave for that is given.
      await withVow(database().config({ VOW_WEBHOOK_PRIVATE_ADDRESSES: '1' }), async ({ server }, { admin, support }) => {
        const auth = { authorization: `Bearer ${admin}` };
        const id = (await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'eve.erased@example.com', name: 'Eve Erased', birthDate: '1991-01-01' } })).json<{ id: string }>().id;

        const badUrl = await server.inject({ method: 'POST', url: '/v1/webhooks', headers: auth, payload: { recipient: 'hosting', url: 'file:///etc/passwd' } });
        expect(badUrl.statusCode).toBe(400);
        const forbidden = await server.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: `Bearer ${support}` }, payload: { recipient: 'hosting', url } });
        expect(forbidden.statusCode).toBe(403);
        const registered = await server.inject({ method: 'POST', url: '/v1/webhooks', headers: auth, payload: { recipient: 'hosting', url } });
        expect(registered.statusCode, registered.body).toBe(201);
        const { secret, id: webhookId } = registered.json<{ secret: string; id: string }>();
        const listed = await server.inject({ method: 'GET', url: '/v1/webhooks', headers: auth });
        expect(listed.json()).toEqual({ webhooks: [expect.objectContaining({ id: webhookId, recipient: 'hosting', url })] });
        expect(listed.body).not.toContain(secret);
        const malformed = await server.inject({ method: 'DELETE', url: '/v1/webhooks/whk_short', headers: auth });
        expect(malformed.statusCode).toBe(400);
        expect(malformed.body).toContain('must be a webhook id');
        // A NUL is refused for its bytes, before any rule of the route.
        const nul = await server.inject({ method: 'DELETE', url: '/v1/webhooks/%00', headers: auth });
        expect(nul.json()).toMatchObject({ error: { problems: [{ path: 'params.id', message: 'must not contain a NUL character' }] } });

        const disclosed = await server.inject({
          method: 'POST',
          url: '/v1/disclosures',
          headers: auth,
          payload: { recipient: 'hosting', categories: ['account'], purpose: 'provide-services', subjects: { ids: [id] } },
        });
        expect(disclosed.statusCode, disclosed.body).toBe(201);

        expect((await server.inject({ method: 'POST', url: `/v1/subjects/${id}/erase`, headers: { authorization: `Bearer ${support}` }, payload: {} })).statusCode).toBe(403);
        const erased = await server.inject({ method: 'POST', url: `/v1/subjects/${id}/erase`, headers: auth, payload: { reason: 'admin' } });
        expect(erased.statusCode, erased.body).toBe(200);
        expect(erased.json()).toMatchObject({ subjectId: id, erased: true, heldCategories: [], recipientsNotified: ['hosting'] });
        const again = await server.inject({ method: 'POST', url: `/v1/subjects/${id}/erase`, headers: auth, payload: {} });
        expect(again.statusCode).toBe(404);

        await arrival;
        const [notice] = received;
        expect(JSON.parse(notice?.body ?? '')).toMatchObject({ event: 'erasure', subjectId: id, recipient: 'hosting' });
        expect(notice?.body).not.toContain('eve.erased');
        expect(verifySignature(secret, notice?.body ?? '', String(notice?.headers['vow-signature']))).toBe(true);

        const proofs = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/erasures`, headers: auth });
        expect(proofs.json()).toMatchObject({ erasures: [{ subjectId: id, reason: 'admin', erased: true }] });
        expect(proofs.body).not.toContain('eve.erased');
        const account = await server.inject({ method: 'GET', url: `/v1/accounts/${id}?purpose=communicate`, headers: auth });
        expect(account.statusCode).toBe(404);

        // Delivery is recorded once acknowledged.
        for (let tries = 0; tries < 50; tries += 1) {
          const deliveries = (await server.inject({ method: 'GET', url: '/v1/webhooks/deliveries', headers: auth })).json<{ deliveries: { status: string }[] }>();
          if (deliveries.deliveries[0]?.status === 'delivered') break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const deliveries = (await server.inject({ method: 'GET', url: '/v1/webhooks/deliveries', headers: auth })).json<{ deliveries: { status: string; attempts: { statusCode: number }[] }[] }>();
        expect(deliveries.deliveries[0]).toMatchObject({ status: 'delivered', attempts: [{ statusCode: 200 }] });
        expect((await server.inject({ method: 'DELETE', url: `/v1/webhooks/${webhookId}`, headers: auth })).statusCode).toBe(200);
        expect((await server.inject({ method: 'DELETE', url: `/v1/webhooks/${webhookId}`, headers: auth })).statusCode).toBe(404);
      });
      const io = { lines: [] as string[], out(text: string) { this.lines.push(text); }, err(text: string) { this.lines.push(text); } };
      expect(await runCli(['webhooks', 'list'], database().config(), io)).toBe(0);
      expect(io.lines.join('\n')).toMatch(/hosting .* removed .*\n\s+whd_\S+\s+erasure\s+delivered\s+1 attempts, last attempt \S+: 200/);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('lets a legal-request disclosure place a hold on what it disclosed', () =>
    withVow(database().config(), async (vow, { admin }) => {
      const { server } = vow;
      const auth = { authorization: `Bearer ${admin}` };
      const id = (await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'lee.legal@example.com', name: 'Lee Legal', birthDate: '1980-01-01' } })).json<{ id: string }>().id;
      const authorities = vow.vault.declaration.recipients.find((r) => r.kind === 'legal-authority')?.id ?? '';
      const details = { authority: 'District Court of Exampleton', process: 'court order', scope: 'account data of one subject', receivedOn: '2026-11-20' };
      const base = { recipient: authorities, categories: ['account'], purpose: 'legal-compliance', subjects: { ids: [id] } };
      const notLegal = await server.inject({ method: 'POST', url: '/v1/disclosures', headers: auth, payload: { ...base, recipient: 'hosting', purpose: 'provide-services', legalHold: { reason: 'x' } } });
      expect(notLegal.statusCode).toBe(400);
      expect(notLegal.body).toContain('legalHold');
      const disclosed = await server.inject({
        method: 'POST',
        url: '/v1/disclosures',
        headers: auth,
        payload: { ...base, kind: 'legal-request', legalGround: 'legal-obligation', details, legalHold: { reason: 'Court order CV-2026-0042 against Lee' } },
      });
      expect(disclosed.statusCode, disclosed.body).toBe(201);
      const holds = (await server.inject({ method: 'GET', url: `/v1/subjects/${id}/holds`, headers: auth })).json<{ holds: unknown[] }>().holds;
      expect(holds).toEqual([expect.objectContaining({ source: 'legal-request', categories: ['account'], reason: 'Court order CV-2026-0042 against Lee', disclosureId: expect.stringMatching(/^dis_/) as unknown })]);
      const erased = await server.inject({ method: 'POST', url: `/v1/subjects/${id}/erase`, headers: auth, payload: {} });
      expect(erased.json()).toMatchObject({ erased: true, heldCategories: ['account'] });
      // The record of who received the held data stays with it.
      const accounting = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/disclosures`, headers: auth });
      expect(accounting.json<{ disclosures: { kind: string }[] }>().disclosures.map((disclosure) => disclosure.kind)).toEqual(['legal-request']);
      // Kept for the law only: readable for legal compliance, refused for anything else.
      const forServices = await server.inject({ method: 'GET', url: `/v1/accounts/${id}?purpose=communicate`, headers: auth });
      expect(forServices.statusCode).toBe(403);
      expect(forServices.json<ErrorJson>().error.message).toContain('rule: legal-hold-purpose');
      const forLaw = await server.inject({ method: 'GET', url: `/v1/accounts/${id}?purpose=legal-compliance`, headers: auth });
      expect(forLaw.statusCode, forLaw.body).toBe(200);
      // Nor is a held person told of policy changes.
      await publishPolicy(vow.store.db, { declaration: { ...vow.vault.declaration, minimumAge: 14 }, material: true, actor: 'test' });
      await vow.policy.refresh();
      expect(await sendPolicyNotices(vow.vault, { batchSize: 10 })).toMatchObject({ notified: 0 });
    }));

  it('places, lists and releases legal holds; a held subject survives erasure; everything audited', () =>
    withVow(database().config(), async (vow, { admin, support }) => {
      const { server } = vow;
      const auth = { authorization: `Bearer ${admin}` };
      const id = (await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'hal.held@example.com', name: 'Hal Held', birthDate: '1985-01-01' } })).json<{ id: string }>().id;

      const invalid = await server.inject({ method: 'POST', url: `/v1/subjects/${id}/holds`, headers: auth, payload: { reason: 'x', categories: ['no-such'] } });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json<ErrorJson>().error.message).toContain('no-such');
      expect((await server.inject({ method: 'POST', url: `/v1/subjects/${id}/holds`, headers: auth, payload: {} })).statusCode).toBe(400);
      expect((await server.inject({ method: 'POST', url: `/v1/subjects/${id}/holds`, headers: { authorization: `Bearer ${support}` }, payload: { reason: 'x' } })).statusCode).toBe(403);

      const placed = await server.inject({ method: 'POST', url: `/v1/subjects/${id}/holds`, headers: auth, payload: { reason: 'Subpoena in Held v. Airobotics' } });
      expect(placed.statusCode, placed.body).toBe(201);
      const hold = placed.json<{ id: string; categories: null }>();
      expect(hold.categories).toBeNull();

      const erased = await server.inject({ method: 'POST', url: `/v1/subjects/${id}/erase`, headers: auth, payload: { reason: 'request', requestId: 'req_test' } });
      expect(erased.json()).toMatchObject({ erased: false, heldCategories: ['*'] });
      expect((await server.inject({ method: 'GET', url: `/v1/accounts/${id}?purpose=communicate`, headers: auth })).statusCode).toBe(403);
      expect((await server.inject({ method: 'GET', url: `/v1/accounts/${id}?purpose=legal-compliance`, headers: auth })).statusCode).toBe(200);

      const listed = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/holds`, headers: auth });
      expect(listed.json()).toMatchObject({ holds: [{ id: hold.id, reason: 'Subpoena in Held v. Airobotics', releasedAt: null }] });

      const released = await server.inject({ method: 'DELETE', url: `/v1/holds/${hold.id}`, headers: auth });
      expect(released.statusCode, released.body).toBe(200);
      expect(released.json()).toMatchObject({ holdId: hold.id, erasure: { erased: true, heldCategories: [] } });
      expect((await server.inject({ method: 'DELETE', url: `/v1/holds/${hold.id}`, headers: auth })).statusCode).toBe(409);
      for (const bad of ['hold_short', 'whk_AAAAAAAAAAAAAAAAAAAAAA']) {
        const malformed = await server.inject({ method: 'DELETE', url: `/v1/holds/${bad}`, headers: auth });
        expect(malformed.statusCode, bad).toBe(400);
        expect(JSON.stringify(malformed.json())).toContain('must be a hold id');
      }
      expect((await server.inject({ method: 'GET', url: `/v1/accounts/${id}?purpose=communicate`, headers: auth })).statusCode).toBe(404);

      const audit = await vow.store.db.selectFrom('audit_log').select(['action', 'data']).execute();
      expect(audit.map((row) => row.action)).toEqual(expect.arrayContaining(['hold.placed', 'subject.erasure-held', 'hold.released', 'subject.erased']));
      expect(JSON.stringify(audit)).not.toContain('Subpoena');
      expect(await verifyAudit(vow.store.db)).toMatchObject({ ok: true });
    }));
});
