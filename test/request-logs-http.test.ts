/**
 * Log data and device information (section 1, "Personal Information We Receive
 * Automatically"): the site's servers forward each request a visitor made, and Vow keeps
 * what the declaration lists, on the basis it declares (legitimate interests, so also
 * from visitors who refused every cookie), its address truncated, sealed under the
 * visitor's key, and purged when its retention ends.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { openEvents, type StoredEvent } from '../src/collect/event-data.js';
import { runRetention } from '../src/retention/run-retention.js';
import { openSubject } from '../src/vault/subject-store.js';
import { describeEachDatabase } from './support/databases.js';

const DAY_MS = 86_400_000;
const pixel = 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const hints = { ua: '"Google Chrome";v="124", "Chromium";v="124", "Not-A.Brand";v="99"', platform: '"Android"', mobile: '?1', model: '"Pixel 7"' };

describeEachDatabase('log data from the site’s servers', (database) => {
  const withVow = async (test: (server: FastifyInstance, vow: Vow, keys: { site: string; support: string }) => Promise<void>) => {
    const vow = await createVow(database().config());
    try {
      const site = (await issueApiKey(vow.store.db, { role: 'site', purposes: [], actor: 'test' })).secret;
      const support = (await issueApiKey(vow.store.db, { role: 'support', purposes: [], actor: 'test' })).secret;
      await test(vow.server, vow, { site, support });
    } finally {
      await vow.close();
    }
  };
  /** A visitor who refused every cookie but the strictly necessary ones. */
  const refuser = async (server: FastifyInstance) => {
    const banner = (await server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<{ policyVersion: number; bannerHash: string }>();
    const response = await server.inject({
      method: 'POST',
      url: '/v1/consent',
      payload: { granted: [], refused: ['analytics', 'advertising'], source: 'banner', policyVersion: banner.policyVersion, bannerHash: banner.bannerHash },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ visitorId: string; subjectId: string }>();
  };
  const eventsOf = async (vow: Vow, subjectId: string) => {
    const subject = await openSubject(vow.vault, vow.store.db, subjectId);
    if (!subject) return [];
    const rows = await vow.store.db.selectFrom('events').selectAll().where('subject_id', '=', subjectId).orderBy('category').execute();
    return rows.flatMap((row) => openEvents(subject.dataKey, row.id, row.data, row.occurred_at).map((event): StoredEvent & { category: string } => ({ category: row.category, ...event })));
  };

  it('keeps each request of a known visitor as log data and its device, address truncated, even when every cookie was refused', () =>
    withVow(async (server, vow, keys) => {
      const { visitorId, subjectId } = await refuser(server);
      const at = new Date().toISOString();
      const entry = {
        visitorId,
        at,
        method: 'GET',
        path: '/robots/arm?email=someone@example.com',
        status: 200,
        ip: '203.0.113.77',
        userAgent: pixel,
        hints,
        acceptLanguage: 'fr-FR,fr;q=0.9,en;q=0.5',
      };
      const sent = await server.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { authorization: `Bearer ${keys.site}` },
        payload: { entries: [entry, { ...entry, method: 'POST', path: '/contact', status: 303 }] },
      });
      expect(sent.statusCode, sent.body).toBe(202);
      // Two requests, and one device for the two: same visitor, same headers.
      expect(sent.json()).toMatchObject({ accepted: 3 });

      const stored = await eventsOf(vow, subjectId);
      expect(stored).toEqual([
        { category: 'device-information', occurredAt: at, device: { browser: 'Chrome', browserVersion: '124', os: 'Android', deviceType: 'mobile', model: 'Pixel 7' } },
        { category: 'log-data', occurredAt: at, method: 'GET', path: '/robots/arm', status: 200, ip: '203.0.113.0', language: 'fr-FR', device: { browser: 'Chrome', browserVersion: '124' } },
        { category: 'log-data', occurredAt: at, method: 'POST', path: '/contact', status: 303, ip: '203.0.113.0', language: 'fr-FR', device: { browser: 'Chrome', browserVersion: '124' } },
      ]);
    }));

  it('stores nothing for an unknown visitor, and takes entries only from site keys, refusing bad ones by name', () =>
    withVow(async (server, _vow, keys) => {
      const entry = { visitorId: `vis_${'A'.repeat(22)}`, method: 'GET', path: '/', status: 200, ip: '198.51.100.7' };
      const unknown = await server.inject({ method: 'POST', url: '/v1/logs', headers: { authorization: `Bearer ${keys.site}` }, payload: { entries: [entry] } });
      expect(unknown.statusCode, unknown.body).toBe(202);
      expect(unknown.json()).toMatchObject({ accepted: 0, dropped: { 'unknown-visitor': 2 } });

      expect((await server.inject({ method: 'POST', url: '/v1/logs', payload: { entries: [entry] } })).statusCode).toBe(401);
      expect((await server.inject({ method: 'POST', url: '/v1/logs', headers: { authorization: `Bearer ${keys.support}` }, payload: { entries: [entry] } })).statusCode).toBe(403);
      // A site key does nothing else.
      expect((await server.inject({ method: 'GET', url: '/v1/requests', headers: { authorization: `Bearer ${keys.site}` } })).statusCode).toBe(403);

      const bad = await server.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { authorization: `Bearer ${keys.site}` },
        payload: { entries: [{ ...entry, ip: '203.0.113.77; DROP TABLE' }, { ...entry, status: 99 }] },
      });
      expect(bad.statusCode).toBe(400);
      const paths = bad.json<{ error: { problems: { path: string }[] } }>().error.problems.map((problem) => problem.path);
      expect(paths).toEqual(expect.arrayContaining(['body.entries.0.ip', 'body.entries.1.status']));
      expect(bad.body).not.toContain('DROP TABLE');
    }));

  it('truncates an IPv6 address to its /48, and purges log data when its 90 days are over', () =>
    withVow(async (server, vow, keys) => {
      const { visitorId, subjectId } = await refuser(server);
      const entry = { visitorId, method: 'GET', path: '/', status: 200, ip: '2001:db8:1:2::77', userAgent: pixel };
      const sent = await server.inject({ method: 'POST', url: '/v1/logs', headers: { authorization: `Bearer ${keys.site}` }, payload: { entries: [entry] } });
      expect(sent.json()).toMatchObject({ accepted: 2 });
      expect((await eventsOf(vow, subjectId)).find((event) => event.category === 'log-data')?.ip).toBe('2001:db8:1::');

      const purge = (days: number) => runRetention(vow.store.db, { declaration: vow.vault.declaration, now: new Date(Date.now() + days * DAY_MS), actor: 'test' });
      expect((await purge(89)).categories['log-data']).toBe(0);
      expect((await purge(91)).categories['log-data']).toBe(1);
      expect((await eventsOf(vow, subjectId)).map((event) => event.category)).toEqual(['device-information']);
    }));
});

describeEachDatabase('what the page says is collected automatically', (database) => {
  it('lists only fields Vow stores, and the database holds none of them in the clear', async () => {
    const vow = await createVow(database().config());
    try {
      const page = (await vow.server.inject({ method: 'GET', url: '/privacy' })).body;
      expect(page).toContain('browser settings');
      expect(page).not.toContain('computer connection;');
      const served = await vow.server.inject({ method: 'GET', url: '/privacy' });
      // Pages ask for the device model, so the requests that follow carry it.
      expect(served.headers['accept-ch']).toBe('Sec-CH-UA-Model');
      expect((await vow.server.inject({ method: 'GET', url: '/healthz' })).headers['accept-ch']).toBeUndefined();

      const site = (await issueApiKey(vow.store.db, { role: 'site', purposes: [], actor: 'test' })).secret;
      const banner = (await vow.server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<{ policyVersion: number; bannerHash: string }>();
      const { visitorId } = (
        await vow.server.inject({ method: 'POST', url: '/v1/consent', payload: { granted: [], refused: [], source: 'banner', policyVersion: banner.policyVersion, bannerHash: banner.bannerHash } })
      ).json<{ visitorId: string }>();
      const marker = '/secret-marker-page-4711';
      await vow.server.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { authorization: `Bearer ${site}` },
        payload: { entries: [{ visitorId, method: 'GET', path: marker, status: 200, ip: '192.0.2.201', userAgent: pixel, hints, acceptLanguage: 'de-CH' }] },
      });
      if (database().dialect === 'sqlite') {
        await vow.close();
        const dir = database().dataDir;
        const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => /\.(db|sqlite)(-wal)?$/.test(name) || name.endsWith('-wal'));
        expect(files.length).toBeGreaterThan(0);
        for (const file of files) {
          const raw = readFileSync(join(dir, file)).toString('latin1');
          for (const secret of ['secret-marker-page', '192.0.2.201', '192.0.2.0', 'Pixel 7', 'de-CH']) expect(raw, `${file}: ${secret}`).not.toContain(secret);
        }
      }
    } finally {
      await vow.close().catch(() => undefined);
    }
  });
});
