import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import type { Banner } from '../src/consent/banner.js';
import type { ConsentResult } from '../src/consent/record-consent.js';
import { linkedSubjects } from '../src/vault/link-visitor.js';
import { describeEachDatabase } from './support/databases.js';

interface ErrorJson {
  error: { code: string; message: string };
}

describeEachDatabase('a visitor linked to its account', (database) => {
  const withVow = async (test: (server: FastifyInstance, vow: Vow, admin: string) => Promise<void>) => {
    const vow = await createVow(database().config());
    try {
      await test(vow.server, vow, (await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret);
    } finally {
      await vow.close();
    }
  };
  const visit = async (server: FastifyInstance) => {
    const banner = (await server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<Banner>();
    const response = await server.inject({
      method: 'POST',
      url: '/v1/consent',
      payload: { granted: ['analytics'], refused: ['advertising'], source: 'banner', policyVersion: banner.policyVersion, bannerHash: banner.bannerHash },
    });
    return response.json<ConsentResult>();
  };
  const signUp = async (server: FastifyInstance, email: string) =>
    (await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email, name: 'Lin Ked', birthDate: '1990-01-01' } })).json<{ id: string }>().id;

  it("joins the visitor's consent records and events to the account, once and to one account only", () =>
    withVow(async (server, vow, admin) => {
      const visitor = await visit(server);
      const account = await signUp(server, 'lin.ked@example.com');
      const link = (subjectId: string, visitorId: string) =>
        server.inject({ method: 'POST', url: `/v1/accounts/${subjectId}/visitors`, headers: { authorization: `Bearer ${admin}` }, payload: { visitorId } });

      const linked = await link(account, visitor.visitorId);
      expect(linked.statusCode, linked.body).toBe(200);
      expect(linked.json()).toEqual({ subjectId: account, visitorSubjectId: visitor.subjectId });
      // Section 9 counts what the visitor's events hold too: usage data makes personalised content available.
      const choicesOf = async () =>
        (await server.inject({ method: 'GET', url: `/v1/subjects/${account}/choices`, headers: { authorization: `Bearer ${admin}` } })).json<{ available: { feature: string }[] }>();
      expect((await choicesOf()).available.map((choice) => choice.feature)).not.toContain('personalised-content');
      const sent = await server.inject({ method: 'POST', url: '/v1/events', payload: { visitorId: visitor.visitorId, events: [{ category: 'usage-data', name: 'page_view', path: '/robots' }] } });
      expect(sent.json()).toMatchObject({ accepted: 1 });
      expect((await choicesOf()).available.map((choice) => choice.feature)).toContain('personalised-content');
      // The account's consent history is the person's: the linked visitor's decisions are in it.
      const history = await server.inject({ method: 'GET', url: `/v1/consent/${account}`, headers: { authorization: `Bearer ${admin}` } });
      expect(history.json<{ records: { subjectId: string; granted: string[] }[] }>().records).toEqual([
        expect.objectContaining({ subjectId: visitor.subjectId, granted: ['necessary', 'analytics'] }),
      ]);
      expect((await link(account, visitor.visitorId)).statusCode).toBe(200);
      expect(await linkedSubjects(vow.store.db, account)).toEqual([visitor.subjectId]);

      const other = await signUp(server, 'other.person@example.com');
      const stolen = await link(other, visitor.visitorId);
      expect(stolen.statusCode).toBe(409);
      expect(stolen.json<ErrorJson>().error.code).toBe('conflict');
    }));

  it('refuses unknown visitors, visitors as accounts, malformed ids and callers without the permission', () =>
    withVow(async (server, vow, admin) => {
      const visitor = await visit(server);
      const account = await signUp(server, 'lin.ked2@example.com');
      const headers = { authorization: `Bearer ${admin}` };
      const unknown = await server.inject({ method: 'POST', url: `/v1/accounts/${account}/visitors`, headers, payload: { visitorId: 'vis_AAAAAAAAAAAAAAAAAAAAAA' } });
      expect(unknown.statusCode).toBe(404);
      const intoVisitor = await server.inject({ method: 'POST', url: `/v1/accounts/${visitor.subjectId}/visitors`, headers, payload: { visitorId: visitor.visitorId } });
      expect(intoVisitor.statusCode).toBe(404);
      const malformed = await server.inject({ method: 'POST', url: `/v1/accounts/${account}/visitors`, headers, payload: { visitorId: 'not-a-visitor' } });
      expect(malformed.statusCode).toBe(400);
      const auditor = (await issueApiKey(vow.store.db, { role: 'auditor', purposes: [], actor: 'test' })).secret;
      const forbidden = await server.inject({
        method: 'POST',
        url: `/v1/accounts/${account}/visitors`,
        headers: { authorization: `Bearer ${auditor}` },
        payload: { visitorId: visitor.visitorId },
      });
      expect(forbidden.statusCode).toBe(403);
      expect(await linkedSubjects(vow.store.db, account)).toEqual([]);
    }));
});
