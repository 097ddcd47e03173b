/**
 * The company's sites (`scope.origins`) call the SDK's routes from their own origins, and
 * only those routes answer CORS, only to them, as the published version lists them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { parseDeclaration } from '../src/policy/load-declaration.js';
import { publishPolicy } from '../src/policy/publish-policy.js';
import { describeEachDatabase } from './support/databases.js';
import { examplePolicy } from './support/fixtures.js';

const SITE = 'https://www.airobotics.example';
const NEW_SITE = 'https://shop.airobotics.example';

describeEachDatabase('CORS for the sites the declaration lists', (database) => {
  const withVow = async (test: (vow: Vow) => Promise<void>) => {
    const vow = await createVow(database().config());
    try {
      await publishPolicy(vow.store.db, { declaration: { ...vow.vault.declaration, scope: { ...vow.vault.declaration.scope, origins: [SITE] } }, material: false, actor: 'test' });
      await vow.policy.refresh();
      await test(vow);
    } finally {
      await vow.close();
    }
  };
  const preflight = (vow: Vow, url: string, origin: string) =>
    vow.server.inject({ method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });

  it('answers a listed site on the banner, consent, events and preference routes, preflights included', () =>
    withVow(async (vow) => {
      for (const url of ['/v1/consent/banner', '/v1/consent/purposes', '/sdk/vow.js']) {
        const response = await vow.server.inject({ method: 'GET', url, headers: { origin: SITE } });
        expect(response.headers['access-control-allow-origin'], url).toBe(SITE);
        expect(response.headers['access-control-allow-credentials'], url).toBeUndefined();
      }
      for (const url of ['/v1/consent', '/v1/events', '/v1/consent/purposes']) {
        const response = await preflight(vow, url, SITE);
        expect(response.statusCode, url).toBe(204);
        expect(response.headers['access-control-allow-origin'], url).toBe(SITE);
        expect(response.headers['access-control-allow-methods'], url).toBe('GET, POST');
      }
      const banner = (await vow.server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<{ policyVersion: number; bannerHash: string }>();
      const recorded = await vow.server.inject({
        method: 'POST',
        url: '/v1/consent',
        headers: { origin: SITE },
        payload: { granted: ['analytics'], refused: ['advertising'], source: 'banner', policyVersion: banner.policyVersion, bannerHash: banner.bannerHash },
      });
      expect(recorded.statusCode, recorded.body).toBe(201);
      expect(recorded.headers['access-control-allow-origin']).toBe(SITE);
    }));

  it('answers no other origin, and no staff route even for a listed site', () =>
    withVow(async (vow) => {
      const stranger = await vow.server.inject({ method: 'GET', url: '/v1/consent/banner', headers: { origin: 'https://evil.example' } });
      expect(stranger.statusCode).toBe(200);
      expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
      expect((await preflight(vow, '/v1/consent', 'https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
      for (const url of ['/v1/requests', '/v1/audit', '/v1/outbox']) {
        const response = await preflight(vow, url, SITE);
        expect(response.headers['access-control-allow-origin'], url).toBeUndefined();
        expect(response.statusCode, url).toBe(404);
        expect(response.json(), url).toMatchObject({ error: { code: 'not_found' } });
      }
    }));

  it('follows the published version: a site added later is answered once it is published', () =>
    withVow(async (vow) => {
      expect((await vow.server.inject({ method: 'GET', url: '/v1/consent/banner', headers: { origin: NEW_SITE } })).headers['access-control-allow-origin']).toBeUndefined();
      await publishPolicy(vow.store.db, { declaration: { ...vow.vault.declaration, scope: { ...vow.vault.declaration.scope, origins: [SITE, NEW_SITE] } }, material: false, actor: 'test' });
      await vow.policy.refresh();
      expect((await vow.server.inject({ method: 'GET', url: '/v1/consent/banner', headers: { origin: NEW_SITE } })).headers['access-control-allow-origin']).toBe(NEW_SITE);
    }));
});

describe('the declaration’s site origins', () => {
  it('are origins only: a path, a trailing slash or another scheme is refused at its line', () => {
    const text = readFileSync(examplePolicy, 'utf8').replace(/^scope:\n/m, "scope:\n  origins: ['https://www.airobotics.example', 'https://www.airobotics.example/', 'ftp://files.example']\n");
    const result = parseDeclaration(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => problem.path)).toEqual(['scope.origins[1]', 'scope.origins[2]']);
    expect(result.problems[0]?.message).toContain('must be an origin such as https://www.example.com');
  });
});
