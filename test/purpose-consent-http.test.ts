/**
 * Purposes whose legal basis is consent (sections 2 and 10): a subject's data is used for
 * one only while that subject has consented to it, given specifically, with the texts
 * shown as part of its proof, withdrawn as easily, and never inferred from accepting a
 * policy version. Checked on reads and disclosures, through the HTTP API.
 */
import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { describeEachDatabase } from './support/databases.js';

const consentFirst = fileURLToPath(new URL('../examples/consent-first/vow.policy.yaml', import.meta.url));

/** The consent-first declaration with a privacy budget of a million: a release can then be near exact. */
function largeBudget(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'vow-budget-')), 'vow.policy.yaml');
  writeFileSync(file, readFileSync(consentFirst, 'utf8').replace("privacyBudget: '1'", "privacyBudget: '1000000'"));
  return file;
}

interface Form {
  policyVersion: number;
  purposes: { id: string; description: string }[];
  textHash: string;
}

describeEachDatabase('consent to consent-based purposes', (database) => {
  const withVow = async (test: (server: FastifyInstance, vow: Vow, admin: string) => Promise<void>, policyFile = consentFirst) => {
    const vow = await createVow(database().config({ VOW_POLICY: policyFile }));
    try {
      const admin = (await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret;
      await test(vow.server, vow, admin);
    } finally {
      await vow.close();
    }
  };
  const signUp = async (server: FastifyInstance, email: string) => {
    const response = await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email, name: 'Noor Newsletter', birthDate: '1990-05-05' } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  };

  it('reads for a consent-based purpose only while the subject consents, whatever policy it accepted', () =>
    withVow(async (server, _vow, admin) => {
      const headers = { authorization: `Bearer ${admin}` };
      const id = await signUp(server, 'noor.consent@example.com');
      const read = (purpose: string) => server.inject({ method: 'GET', url: `/v1/subjects/${id}/data?purpose=${purpose}`, headers });

      expect((await read('communicate')).statusCode).toBe(200);
      const refused = await read('newsletter');
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ error: { message: expect.stringContaining('rule: purpose-consent') as unknown } });

      // Accepting the policy, explicitly, covers every purpose but those resting on consent.
      const accepted = await server.inject({ method: 'POST', url: `/v1/subjects/${id}/policy/accept`, headers, payload: { version: 1 } });
      expect(accepted.statusCode, accepted.body).toBe(200);
      expect(accepted.json<{ purposes: string[] }>().purposes).not.toContain('newsletter');
      expect((await read('newsletter')).statusCode).toBe(403);

      const granted = await server.inject({ method: 'POST', url: `/v1/subjects/${id}/purpose-consents`, headers, payload: { granted: ['newsletter'], channel: 'phone' } });
      expect(granted.statusCode, granted.body).toBe(201);
      expect(granted.json()).toMatchObject({ consented: ['newsletter'], records: [{ purpose: 'newsletter', granted: true }] });
      expect((await read('newsletter')).statusCode).toBe(200);

      const withdrawn = await server.inject({ method: 'POST', url: `/v1/subjects/${id}/purpose-consents`, headers, payload: { withdrawn: ['newsletter'], channel: 'email' } });
      expect(withdrawn.json()).toMatchObject({ consented: [] });
      expect((await read('newsletter')).statusCode).toBe(403);

      const history = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/purpose-consents`, headers });
      expect(history.json<{ records: { granted: boolean; source: string; channel: string; verified: boolean }[] }>().records).toEqual([
        expect.objectContaining({ granted: true, source: 'staff', channel: 'phone', verified: true }),
        expect.objectContaining({ granted: false, source: 'staff', channel: 'email', verified: true }),
      ]);
    }));

  it('takes consent from the preference form, counts it for the linked account, and withdraws it the same way', () =>
    withVow(async (server, _vow, admin) => {
      const headers = { authorization: `Bearer ${admin}` };
      const form = (await server.inject({ method: 'GET', url: '/v1/consent/purposes' })).json<Form>();
      expect(form.purposes.map((purpose) => purpose.id)).toEqual(['research', 'newsletter']);
      expect(form.purposes[1]).toEqual({ id: 'newsletter', description: 'To send you our newsletter and news of our products' });
      expect(form.textHash).toMatch(/^[0-9a-f]{64}$/);

      const given = await server.inject({ method: 'POST', url: '/v1/consent/purposes', payload: { granted: ['newsletter'], policyVersion: form.policyVersion, textHash: form.textHash } });
      expect(given.statusCode, given.body).toBe(201);
      const { visitorId } = given.json<{ visitorId: string }>();
      expect(given.json()).not.toHaveProperty('subjectId');

      const id = await signUp(server, 'noor.form@example.com');
      expect((await server.inject({ method: 'POST', url: `/v1/accounts/${id}/visitors`, headers, payload: { visitorId } })).statusCode).toBe(200);
      expect((await server.inject({ method: 'GET', url: `/v1/subjects/${id}/data?purpose=newsletter`, headers })).statusCode).toBe(200);

      const withdrawn = await server.inject({ method: 'POST', url: '/v1/consent/purposes', payload: { visitorId, withdrawn: ['newsletter'], policyVersion: form.policyVersion, textHash: form.textHash } });
      expect(withdrawn.statusCode).toBe(201);
      expect((await server.inject({ method: 'GET', url: `/v1/subjects/${id}/data?purpose=newsletter`, headers })).statusCode).toBe(403);
      const history = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/purpose-consents`, headers });
      expect(history.json<{ records: { source: string }[] }>().records.map((record) => record.source)).toEqual(['form', 'form']);
    }));

  it('answers a visitor the decisions in force for its form, and one same answer for a visitor never seen, never decided or erased', () =>
    withVow(async (server, _vow, admin) => {
      const headers = { authorization: `Bearer ${admin}` };
      const form = (await server.inject({ method: 'GET', url: '/v1/consent/purposes' })).json<Form>();
      const decide = async (payload: Record<string, unknown>) => {
        // Decisions are ordered by time to the millisecond: a tick apart, the latest is certain.
        await new Promise((resolve) => setTimeout(resolve, 2));
        const response = await server.inject({ method: 'POST', url: '/v1/consent/purposes', payload: { ...payload, policyVersion: form.policyVersion, textHash: form.textHash } });
        expect(response.statusCode, response.body).toBe(201);
        return response.json<{ visitorId: string; consented: string[] }>();
      };
      const inForce = (visitorId: string) => server.inject({ method: 'GET', url: `/v1/consent/purposes/visitors/${visitorId}` });

      const { visitorId } = await decide({ granted: ['newsletter'] });
      const granted = await inForce(visitorId);
      expect(granted.statusCode, granted.body).toBe(200);
      expect(granted.json()).toEqual({ consented: ['newsletter'] });
      expect(granted.headers['cache-control']).toBe('no-store');
      expect((await decide({ visitorId, withdrawn: ['newsletter'] })).consented).toEqual([]);
      expect((await inForce(visitorId)).json()).toEqual({ consented: [] });

      // The account the visitor is linked to decides as the same person, as the form's own answer says.
      const id = await signUp(server, 'noor.visitor@example.com');
      expect((await server.inject({ method: 'POST', url: `/v1/accounts/${id}/visitors`, headers, payload: { visitorId } })).statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2));
      await server.inject({ method: 'POST', url: `/v1/subjects/${id}/purpose-consents`, headers, payload: { granted: ['newsletter'], channel: 'phone' } });
      expect((await inForce(visitorId)).json()).toEqual({ consented: ['newsletter'] });

      const banner = (await server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<{ policyVersion: number; bannerHash: string; categories: { id: string; necessary: boolean }[] }>();
      const cookiesOnly = await server.inject({
        method: 'POST',
        url: '/v1/consent',
        payload: { granted: [], refused: banner.categories.filter((category) => !category.necessary).map((category) => category.id), source: 'banner', policyVersion: banner.policyVersion, bannerHash: banner.bannerHash },
      });
      expect(cookiesOnly.statusCode, cookiesOnly.body).toBe(201);
      const erased = await server.inject({ method: 'POST', url: `/v1/subjects/${id}/erase`, headers, payload: { reason: 'request' } });
      expect(erased.statusCode, erased.body).toBe(200);
      const answers = await Promise.all([inForce('vis_AKKKj2LzZJmKbtQOLyXNig'), inForce(cookiesOnly.json<{ visitorId: string }>().visitorId), inForce(visitorId)]);
      expect(answers.map((answer) => [answer.statusCode, answer.body])).toEqual([0, 1, 2].map(() => [200, '{"consented":[]}']));

      const bad = await inForce('vis_short');
      expect(bad.statusCode).toBe(400);
      expect(bad.json<{ error: { problems?: { path: string }[] } }>().error.problems?.map((problem) => problem.path)).toEqual(['params.visitorId']);
    }));

  it('discloses for a consent-based purpose only the subjects who consent, and refuses those named without it', () =>
    withVow(async (server, _vow, admin) => {
      const headers = { authorization: `Bearer ${admin}` };
      const yes = await signUp(server, 'yes.consent@example.com');
      const no = await signUp(server, 'no.consent@example.com');
      await server.inject({ method: 'POST', url: `/v1/subjects/${yes}/purpose-consents`, headers, payload: { granted: ['newsletter'], channel: 'paper' } });

      const all = await server.inject({ method: 'POST', url: '/v1/disclosures', headers, payload: { recipient: 'email', categories: ['account'], purpose: 'newsletter', subjects: { holding: true } } });
      expect(all.statusCode, all.body).toBe(201);
      expect(all.json<{ manifest: { lines: { subjectId: string }[] } }>().manifest.lines.map((line) => line.subjectId)).toEqual([yes]);

      const named = await server.inject({ method: 'POST', url: '/v1/disclosures', headers, payload: { recipient: 'email', categories: ['account'], purpose: 'newsletter', subjects: { ids: [no] } } });
      expect(named.statusCode).toBe(403);
      expect(named.json()).toMatchObject({ error: { message: expect.stringContaining('rule: purpose-consent') as unknown } });
    }));

  /** A visitor who accepted every cookie category under the banner in force. */
  const cookieVisitor = async (server: FastifyInstance): Promise<string> => {
    const banner = (await server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<{ policyVersion: number; bannerHash: string }>();
    const consent = await server.inject({
      method: 'POST',
      url: '/v1/consent',
      payload: { granted: ['analytics', 'advertising'], refused: [], source: 'banner', policyVersion: banner.policyVersion, bannerHash: banner.bannerHash },
    });
    expect(consent.statusCode, consent.body).toBe(201);
    return consent.json<{ visitorId: string }>().visitorId;
  };
  const decideForm = async (server: FastifyInstance, visitorId: string, decision: { granted?: string[]; withdrawn?: string[] }) => {
    const form = (await server.inject({ method: 'GET', url: '/v1/consent/purposes' })).json<Form>();
    const response = await server.inject({ method: 'POST', url: '/v1/consent/purposes', payload: { visitorId, ...decision, policyVersion: form.policyVersion, textHash: form.textHash } });
    expect(response.statusCode, response.body).toBe(201);
  };
  const send = async (server: FastifyInstance, visitorId: string, category: string) => {
    const response = await server.inject({ method: 'POST', url: '/v1/events', payload: { visitorId, events: [{ category, name: 'page_view', path: '/robots' }] } });
    expect(response.statusCode, response.body).toBe(202);
    return response.json<{ accepted: number; dropped: Record<string, number> }>();
  };

  it('collects data kept for consent-based purposes alone only from people who consented, cookies allowed or not, and stops at once on withdrawal', () =>
    withVow(async (server) => {
      // Analytics serves research alone, which rests on consent; usage data serves other purposes too.
      const visitorId = await cookieVisitor(server);
      expect(await send(server, visitorId, 'analytics')).toMatchObject({ accepted: 0, dropped: { 'no-purpose-consent': 1 } });
      expect(await send(server, visitorId, 'usage-data')).toMatchObject({ accepted: 1 });

      await decideForm(server, visitorId, { granted: ['research'] });
      expect(await send(server, visitorId, 'analytics')).toMatchObject({ accepted: 1 });

      await decideForm(server, visitorId, { withdrawn: ['research'] });
      expect(await send(server, visitorId, 'analytics')).toMatchObject({ accepted: 0, dropped: { 'no-purpose-consent': 1 } });

      const metrics = (await server.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toContain('vow_events_dropped_total{category="analytics",reason="no-purpose-consent"} 2');
    }));

  it('counts in statistics for a consent-based purpose only the people who consented to it, a linked account deciding for its visitors', () =>
    // A budget large enough for a release whose noise cannot hide a miscount.
    withVow(async (server, _vow, admin) => {
      const headers = { authorization: `Bearer ${admin}` };
      const visitors = await Promise.all(Array.from({ length: 5 }, () => cookieVisitor(server)));
      for (const visitorId of visitors) expect(await send(server, visitorId, 'usage-data')).toMatchObject({ accepted: 1 });
      const [first, second, third] = visitors as [string, string, string];
      await decideForm(server, first, { granted: ['research'] });
      await decideForm(server, second, { granted: ['research'] });
      // The third's account holder said yes to staff: the account's decision covers its linked visitor.
      const account = await signUp(server, 'third.research@example.com');
      expect((await server.inject({ method: 'POST', url: `/v1/accounts/${account}/visitors`, headers, payload: { visitorId: third } })).statusCode).toBe(200);
      await server.inject({ method: 'POST', url: `/v1/subjects/${account}/purpose-consents`, headers, payload: { granted: ['research'], channel: 'email' } });
      // Consent withdrawn is consent no more.
      await decideForm(server, second, { withdrawn: ['research'] });

      const release = await server.inject({
        method: 'POST',
        url: '/v1/stats',
        headers,
        payload: { dimensions: ['category'], measure: 'subjects', epsilon: '1000000', minSubjects: 1 },
      });
      expect(release.statusCode, release.body).toBe(201);
      expect(release.json<{ cells: { key: { category: string }; value: number }[] }>().cells).toEqual([{ key: { category: 'usage-data' }, value: 2 }]);
    }, largeBudget()));

  it('refuses decisions on purposes that do not rest on consent, or under texts not shown, by name', () =>
    withVow(async (server, _vow, admin) => {
      const form = (await server.inject({ method: 'GET', url: '/v1/consent/purposes' })).json<Form>();
      const cases: [Record<string, unknown>, string][] = [
        [{ granted: ['communicate'], policyVersion: form.policyVersion, textHash: form.textHash }, 'granted[0]'],
        [{ granted: ['newsletter'], withdrawn: ['newsletter'], policyVersion: form.policyVersion, textHash: form.textHash }, 'withdrawn[0]'],
        [{ granted: [], policyVersion: form.policyVersion, textHash: form.textHash }, 'granted'],
        [{ granted: ['newsletter'], policyVersion: form.policyVersion, textHash: 'a'.repeat(64) }, 'textHash'],
        [{ granted: ['newsletter'], policyVersion: 99, textHash: form.textHash }, 'policyVersion'],
        [{ granted: ['newsletter'], policyVersion: form.policyVersion, textHash: form.textHash, email: 'x@example.com' }, 'body'],
        // Hostile bytes are refused by name like any other unknown purpose, never written.
        [{ granted: ['news\u0000letter'], policyVersion: form.policyVersion, textHash: form.textHash }, 'body.granted.0'],
        [{ withdrawn: ['\ud800'], policyVersion: form.policyVersion, textHash: form.textHash }, 'body.withdrawn.0'],
      ];
      for (const [payload, path] of cases) {
        const response = await server.inject({ method: 'POST', url: '/v1/consent/purposes', payload });
        expect(response.statusCode, JSON.stringify(payload)).toBe(400);
        expect(response.json<{ error: { problems?: { path: string }[] } }>().error.problems?.map((problem) => problem.path), JSON.stringify(payload)).toContain(path);
      }
      const staff = await server.inject({
        method: 'POST',
        url: '/v1/subjects/sub_AAAAAAAAAAAAAAAAAAAAAA/purpose-consents',
        headers: { authorization: `Bearer ${admin}` },
        payload: { granted: ['newsletter'], channel: 'phone' },
      });
      expect(staff.statusCode).toBe(404);
    }));

  it('says on the page that accepting a revised policy never counts as consent', () =>
    withVow(async (server) => {
      const page = (await server.inject({ method: 'GET', url: '/privacy' })).body;
      expect(page).toContain('you consent to the revised Privacy Policy, except where we rely on your consent.');
      expect(page).toContain('never counts as that consent');
    }));
});
