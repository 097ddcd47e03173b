import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import type { Role } from '../src/auth/role.js';
import type { Banner } from '../src/consent/banner.js';
import type { ConsentResult } from '../src/consent/record-consent.js';
import { publishPolicy } from '../src/policy/publish-policy.js';
import { describeEachDatabase } from './support/databases.js';
import { examplePolicy } from './support/fixtures.js';

interface ErrorJson {
  error: { code: string; message: string; problems?: { path: string; message: string }[] };
}
interface HistoryJson {
  subjectId: string;
  records: { source: string; granted: string[]; refused: string[]; gpc: boolean; dnt: boolean; policyVersion: number; proof: string; verified: boolean }[];
}

describeEachDatabase('consent over HTTP', (database) => {
  const withVow = async (test: (server: FastifyInstance, vow: Vow) => Promise<void>, env: Record<string, string> = {}) => {
    const vow = await createVow(database().config(env));
    try {
      await test(vow.server, vow);
    } finally {
      await vow.close();
    }
  };
  const bannerOf = async (server: FastifyInstance, query = '', headers: Record<string, string> = {}) => {
    const response = await server.inject({ method: 'GET', url: `/v1/consent/banner${query}`, headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Banner>();
  };
  /** Records are ordered by time to the millisecond: a tick apart, the history's order is certain. */
  const decide = async (server: FastifyInstance, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    return server.inject({ method: 'POST', url: '/v1/consent', payload: body, headers });
  };
  const acceptAll = (banner: Banner, extra: Record<string, unknown> = {}) => ({
    granted: ['analytics', 'advertising'],
    refused: [],
    source: 'banner',
    policyVersion: banner.policyVersion,
    bannerHash: banner.bannerHash,
    ...extra,
  });
  const keyFor = async (vow: Vow, role: Role) => (await issueApiKey(vow.store.db, { role, purposes: [], actor: 'test' })).secret;

  it('serves the banner in English and French, and asks again from the newest material version', () =>
    withVow(async (server, vow) => {
      const en = await bannerOf(server);
      expect(en).toMatchObject({ lang: 'en', policyVersion: 1, lastMaterialVersion: 1, strings: { acceptAll: 'Accept all' }, links: { notice: true, privacyUrl: '/privacy' } });
      expect(en.categories.map((category) => category.id)).toEqual(['necessary', 'analytics', 'advertising']);
      const fr = await bannerOf(server, '?lang=fr');
      expect(fr).toMatchObject({ lang: 'fr', strings: { acceptAll: 'Tout accepter', privacySettings: 'Paramètres de confidentialité' } });
      expect(fr.categories.map((category) => category.name)).toEqual(['Strictement nécessaires', 'Mesure d’audience', 'Publicité']);
      expect(fr.bannerHash).not.toBe(en.bannerHash);
      expect((await bannerOf(server, '', { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' })).lang).toBe('fr');
      expect((await bannerOf(server, '?lang=de')).lang).toBe('en');

      const changed = { ...vow.vault.declaration, minimumAge: 16 };
      await publishPolicy(vow.store.db, { declaration: changed, material: true, actor: 'test' });
      await publishPolicy(vow.store.db, { declaration: { ...changed, minimumAge: 17 }, material: false, actor: 'test' });
      // The server looks for a newer version every second; the test need not wait for it.
      await vow.policy.refresh();
      expect(await bannerOf(server)).toMatchObject({ policyVersion: 3, lastMaterialVersion: 2 });
    }));

  it('serves /.well-known/gpc.json, and documents every consent route', () =>
    withVow(async (server, vow) => {
      const response = await server.inject({ method: 'GET', url: '/.well-known/gpc.json' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json()).toEqual({ gpc: true, lastUpdate: vow.publication.version.publishedAt.slice(0, 10) });
      const openapi = (await server.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/consent/banner', '/v1/consent', '/v1/consent/{subject}', '/.well-known/gpc.json']));
    }));

  it('records decisions from the banner and the API, honors Sec-GPC: 1 exactly, ignores DNT as declared, and shows the history to staff', () =>
    withVow(async (server, vow) => {
      const banner = await bannerOf(server);
      const first = await decide(server, acceptAll(banner));
      expect(first.statusCode, first.body).toBe(201);
      const result = first.json<ConsentResult>();
      expect(result).toMatchObject({ granted: ['necessary', 'analytics', 'advertising'], refused: [], signalsHonored: [] });
      const { visitorId, subjectId } = result;
      expect(visitorId).toMatch(/^vis_[A-Za-z0-9_-]{22}$/);

      const gpc = await decide(server, acceptAll(banner, { visitorId }), { 'sec-gpc': '1' });
      expect(gpc.json()).toMatchObject({ visitorId, subjectId, granted: ['necessary', 'analytics'], refused: ['advertising'], signalsHonored: ['gpc'] });
      for (const value of ['0', 'true']) {
        const notTheSignal = await decide(server, acceptAll(banner, { visitorId }), { 'sec-gpc': value });
        expect(notTheSignal.json(), value).toMatchObject({ refused: [], signalsHonored: [] });
      }
      const dnt = await decide(server, acceptAll(banner, { visitorId }), { dnt: '1' });
      expect(dnt.json()).toMatchObject({ refused: [], signalsHonored: [] });
      const api = await decide(server, { ...acceptAll(banner, { visitorId }), source: 'api', granted: [], refused: ['analytics', 'advertising'] });
      expect(api.statusCode, api.body).toBe(201);

      const url = `/v1/consent/${subjectId}`;
      expect((await server.inject({ method: 'GET', url })).statusCode).toBe(401);
      expect((await server.inject({ method: 'GET', url, headers: { authorization: 'Bearer vow_key_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } })).statusCode).toBe(401);
      for (const role of ['admin', 'privacy-officer', 'support', 'auditor'] as const) {
        const response = await server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await keyFor(vow, role)}` } });
        expect(response.statusCode, role).toBe(200);
      }
      const auditor = await keyFor(vow, 'auditor');
      const history = (await server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${auditor}` } })).json<HistoryJson>();
      expect(history.subjectId).toBe(subjectId);
      expect(history.records.map((record) => [record.source, record.gpc, record.dnt, record.refused])).toEqual([
        ['banner', false, false, []],
        ['banner', true, false, ['advertising']],
        ['banner', false, false, []],
        ['banner', false, false, []],
        ['banner', false, true, []],
        ['api', false, false, ['analytics', 'advertising']],
      ]);
      expect(history.records.every((record) => record.verified && record.policyVersion === 1)).toBe(true);
      const unknown = await server.inject({ method: 'GET', url: '/v1/consent/sub_AAAAAAAAAAAAAAAAAAAAAA', headers: { authorization: `Bearer ${auditor}` } });
      expect(unknown.statusCode).toBe(404);
      const malformed = await server.inject({ method: 'GET', url: '/v1/consent/jane@example.com', headers: { authorization: `Bearer ${auditor}` } });
      expect(malformed.statusCode).toBe(400);
    }));

  it('refuses bad decisions by name', () =>
    withVow(async (server) => {
      const banner = await bannerOf(server);
      const cases: [Record<string, unknown>, string][] = [
        [acceptAll(banner, { granted: ['analytics', 'advertising', 'tracking'] }), 'granted[2]'],
        [acceptAll(banner, { refused: ['necessary'] }), 'refused[0]'],
        [acceptAll(banner, { source: 'signal' }), 'body.source'],
        [acceptAll(banner, { visitorId: 'vis_short' }), 'body.visitorId'],
        [acceptAll(banner, { bannerHash: 'abc' }), 'body.bannerHash'],
        [acceptAll(banner, { bannerHash: 'a'.repeat(64) }), 'bannerHash'],
        [acceptAll(banner, { policyVersion: 0 }), 'body.policyVersion'],
        [acceptAll(banner, { email: 'jane@example.com' }), 'body'],
      ];
      for (const [body, path] of cases) {
        const response = await decide(server, body);
        expect(response.statusCode, JSON.stringify(body)).toBe(400);
        expect(response.json<ErrorJson>().error.problems?.map((problem) => problem.path), JSON.stringify(body)).toContain(path);
      }
      const unknown = await decide(server, acceptAll(banner, { granted: ['analytics', 'advertising', 'tracking'] }));
      expect(unknown.json<ErrorJson>().error.message).toBe('unknown cookie category "tracking"');
    }));

  it('treats DNT, when the declaration honors it, as a refusal of every cookie category that is not strictly necessary', async () => {
    const policy = join(database().dataDir, 'dnt.policy.yaml');
    writeFileSync(policy, readFileSync(examplePolicy, 'utf8').replace('doNotTrack: ignore', 'doNotTrack: honor'));
    await withVow(
      async (server) => {
        const banner = await bannerOf(server);
        expect(banner.signals).toEqual({ doNotTrack: 'honor', globalPrivacyControl: 'honor' });
        const response = await decide(server, acceptAll(banner), { dnt: '1' });
        expect(response.json()).toMatchObject({ granted: ['necessary'], refused: ['analytics', 'advertising'], signalsHonored: ['dnt'] });
      },
      { VOW_POLICY: policy },
    );
  });
});
