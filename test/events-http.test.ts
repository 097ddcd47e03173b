import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { createAuth } from '../src/http/auth.js';
import { buildServer } from '../src/http/build-server.js';
import { openEvents } from '../src/collect/event-data.js';
import { noDrops } from '../src/collect/event.js';
import { createIngestor } from '../src/collect/ingestor.js';
import { createEventMetrics } from '../src/collect/metrics.js';
import type { Banner } from '../src/consent/banner.js';
import type { ConsentResult } from '../src/consent/record-consent.js';
import { newVisitorId } from '../src/consent/visitor-id.js';
import { loadSigningKey } from '../src/disclosures/signing-key.js';
import { loadDeclaration } from '../src/policy/load-declaration.js';
import { watchPolicy } from '../src/policy/policy-in-force.js';
import { publishPolicy } from '../src/policy/publish-policy.js';
import { openStore, type Store } from '../src/store/open-store.js';
import { openVault } from '../src/vault/open-vault.js';
import { openSubject } from '../src/vault/subject-store.js';
import type { VaultContext } from '../src/vault/vault-context.js';
import { describeEachDatabase } from './support/databases.js';

interface ErrorJson {
  error: { code: string; message: string; problems?: { path: string; message: string }[] };
}
interface EventsJson {
  accepted: number;
  dropped: Record<string, number>;
}

const androidChrome = 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const browserHeaders = {
  'user-agent': androidChrome,
  'sec-ch-ua': '"Google Chrome";v="124", "Chromium";v="124", "Not-A.Brand";v="99"',
  'sec-ch-ua-platform': '"Android"',
  'sec-ch-ua-mobile': '?1',
  'sec-ch-ua-model': '"Pixel 7"',
  'cf-ipcountry': 'FR',
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('events over HTTP', (database) => {
  /** The server as app.ts wires it: one ingestor and one metrics registry per server. */
  const withServer = async (
    test: (server: FastifyInstance, context: { store: Store; vault: VaultContext }) => Promise<void>,
    options: { cacheTtlMs?: number; rateLimit?: boolean } = {},
  ) => {
    const config = database().config({ VOW_COUNTRY_HEADER: 'cf-ipcountry' });
    const { declaration } = await loadDeclaration(config.policyFile);
    const store = await openStore(config);
    try {
      await publishPolicy(store.db, { declaration, material: false, actor: 'system' });
      const policy = await watchPolicy(store.db);
      const vault = await openVault({ db: store.db, dataDir: config.dataDir, masterKeys: config.masterKeys, policy });
      const metrics = createEventMetrics();
      const ingestor = createIngestor(vault, { counter: metrics, ...(options.cacheTtlMs === undefined ? {} : { cacheTtlMs: options.cacheTtlMs }) });
      const server = await buildServer({
        store,
        policy,
        vault,
        auth: createAuth(store.db),
        signing: await loadSigningKey(store.db, vault.keyring),
        logLevel: config.logLevel,
        events: { ingestor, metrics, countryHeader: config.countryHeader, rateLimit: options.rateLimit ?? true },
      });
      try {
        await test(server, { store, vault });
      } finally {
        policy.stop();
        await server.close();
      }
    } finally {
      await store.close();
    }
  };

  const decide = async (server: FastifyInstance, granted: string[], visitorId?: string) => {
    const banner = (await server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<Banner>();
    await sleep(2);
    const refused = banner.categories.filter((category) => !category.necessary && !granted.includes(category.id)).map((category) => category.id);
    const response = await server.inject({
      method: 'POST',
      url: '/v1/consent',
      payload: { granted, refused, source: 'banner', policyVersion: banner.policyVersion, bannerHash: banner.bannerHash, ...(visitorId ? { visitorId } : {}) },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<ConsentResult>();
  };
  const send = (server: FastifyInstance, body: unknown, headers: Record<string, string> = browserHeaders) =>
    server.inject({ method: 'POST', url: '/v1/events', payload: body as Record<string, unknown>, headers, remoteAddress: '203.0.113.77' });

  it('stores consented events with the device parsed, the country from the proxy, and neither address nor query in the clear', () =>
    withServer(async (server, { store, vault }) => {
      const { visitorId, subjectId } = await decide(server, ['analytics']);
      const response = await send(server, {
        visitorId,
        events: [
          { category: 'usage-data', name: 'page_view', path: '/checkout?coupon=ADA-42&email=ada@example.com#step-2', timeZone: 'Europe/Paris', occurredAt: new Date().toISOString() },
          { category: 'analytics', name: 'action', action: 'buy' },
        ],
      });
      expect(response.statusCode, response.body).toBe(202);
      expect(response.json()).toEqual({ accepted: 2, dropped: noDrops(), undeclaredFields: [] });

      const rows = await store.db.selectFrom('events').selectAll().orderBy('category').execute();
      expect(rows.map((row) => [row.category, row.name, row.country])).toEqual([
        ['analytics', 'action', 'FR'],
        ['usage-data', 'page_view', 'FR'],
      ]);
      const text = JSON.stringify(rows);
      for (const secret of ['203.0.113', 'checkout', 'coupon', 'ADA-42', 'ada@example.com', 'step-2', 'Pixel', 'Europe']) expect(text).not.toContain(secret);
      const subject = await openSubject(vault, store.db, subjectId);
      const usage = rows[1];
      if (!subject || !usage) throw new Error('missing');
      expect(openEvents(subject.dataKey, usage.id, usage.data, usage.occurred_at)).toEqual([
        {
          occurredAt: usage.occurred_at,
          path: '/checkout',
          timeZone: 'Europe/Paris',
          device: { browser: 'Chrome', browserVersion: '124', os: 'Android', deviceType: 'mobile' },
        },
      ]);
    }));

  it('takes the text/plain body navigator.sendBeacon sends, strict about UTF-8 and JSON', () =>
    withServer(async (server, { store }) => {
      const { visitorId } = await decide(server, ['analytics']);
      const beacon = (payload: string | Buffer) =>
        server.inject({ method: 'POST', url: '/v1/events', payload, headers: { ...browserHeaders, 'content-type': 'text/plain;charset=UTF-8' } });
      const ok = await beacon(JSON.stringify({ visitorId, events: [{ category: 'usage-data', name: 'page_view', path: '/é' }] }));
      expect(ok.statusCode, ok.body).toBe(202);
      expect(ok.json<EventsJson>().accepted).toBe(1);
      expect(await store.db.selectFrom('events').select('name').execute()).toEqual([{ name: 'page_view' }]);

      const notJson = await beacon('visitorId=vis_x');
      expect(notJson.statusCode).toBe(400);
      expect(notJson.json<ErrorJson>().error.message).toBe('request body is not valid JSON');
      const notUtf8 = await beacon(Buffer.from([0x7b, 0xff, 0x7d]));
      expect(notUtf8.statusCode).toBe(400);
      expect(notUtf8.json<ErrorJson>().error.message).toBe('request body is not valid UTF-8');
      expect((await beacon('')).statusCode).toBe(400);
    }));

  it('refuses malformed batches whole: more than 50 events, unknown fields, a bad visitor id', () =>
    withServer(async (server, { store }) => {
      const visitorId = newVisitorId();
      const event = { category: 'usage-data', name: 'page_view' };
      const oversize = await send(server, { visitorId, events: Array.from({ length: 51 }, () => event) });
      expect(oversize.statusCode).toBe(400);
      expect(oversize.json<ErrorJson>().error.problems?.[0]).toMatchObject({ path: 'body.events' });
      expect((await send(server, { visitorId, events: [] })).statusCode).toBe(400);
      expect((await send(server, { visitorId, events: [{ ...event, referrer: 'https://example.com/' }] })).statusCode).toBe(400);
      expect((await send(server, { visitorId, events: [event], extra: 1 })).statusCode).toBe(400);
      expect((await send(server, { visitorId: 'vis_short', events: [event] })).statusCode).toBe(400);
      expect((await send(server, { visitorId, events: [{ ...event, path: `/${'a'.repeat(2048)}` }] })).statusCode).toBe(400);
      expect((await send(server, { visitorId, events: [{ ...event, occurredAt: 'yesterday' }] })).statusCode).toBe(400);
      expect(await store.db.selectFrom('events').select('id').execute()).toEqual([]);
      // Fifty is fine.
      expect((await send(server, { visitorId, events: Array.from({ length: 50 }, () => event) })).json<EventsJson>().dropped['unknown-visitor']).toBe(50);
    }));

  it('drops events without consent, of unknown visitors or of undeclared categories, and counts them at /metrics', () =>
    withServer(async (server) => {
      const refusedAll = await decide(server, []);
      const dropped = await send(server, {
        visitorId: refusedAll.visitorId,
        events: [
          { category: 'usage-data', name: 'page_view' },
          { category: 'tracking-pixel', name: 'x' },
          { category: 'cookies', name: 'cookie_set' },
        ],
      });
      expect(dropped.json()).toEqual({ accepted: 1, dropped: { ...noDrops(), 'no-consent': 1, 'undeclared-category': 1 }, undeclaredFields: [] });
      const stranger = newVisitorId();
      expect((await send(server, { visitorId: stranger, events: [{ category: 'analytics', name: 'page_view' }] })).json<EventsJson>().dropped['unknown-visitor']).toBe(1);

      // Unauthenticated, as Prometheus scrapes, and about categories only.
      const metrics = await server.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(metrics.body).toContain('vow_events_accepted_total{category="cookies"} 1');
      expect(metrics.body).toContain('vow_events_dropped_total{category="usage-data",reason="no-consent"} 1');
      expect(metrics.body).toContain('vow_events_dropped_total{category="undeclared",reason="undeclared-category"} 1');
      expect(metrics.body).toContain('vow_events_dropped_total{category="analytics",reason="unknown-visitor"} 1');
      expect(metrics.body).toContain('process_cpu_user_seconds_total');
      for (const personal of [refusedAll.visitorId, stranger, refusedAll.subjectId, 'tracking-pixel', '203.0.113']) expect(metrics.body).not.toContain(personal);
    }));

  it('drops what only advertising collects when the request carries Sec-GPC: 1', () =>
    withServer(async (server) => {
      const { visitorId } = await decide(server, ['advertising']);
      const events = [
        { category: 'usage-data', name: 'page_view' },
        { category: 'cookies', name: 'cookie_set' },
      ];
      const withGpc = await send(server, { visitorId, events }, { ...browserHeaders, 'sec-gpc': '1' });
      expect(withGpc.json()).toEqual({ accepted: 1, dropped: { ...noDrops(), 'signal-opt-out': 1 }, undeclaredFields: [] });
      expect((await send(server, { visitorId, events })).json<EventsJson>().accepted).toBe(2);
      const metrics = await server.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toContain('vow_events_dropped_total{category="usage-data",reason="signal-opt-out"} 1');
    }));

  it('applies a withdrawal at once on the server that recorded it, its visitor cache notwithstanding', () =>
    withServer(
      async (server) => {
        const { visitorId } = await decide(server, ['analytics']);
        const events = [{ category: 'usage-data', name: 'page_view' }];
        expect((await send(server, { visitorId, events })).json<EventsJson>().accepted).toBe(1);
        await decide(server, [], visitorId);
        expect((await send(server, { visitorId, events })).json()).toEqual({ accepted: 0, dropped: { ...noDrops(), 'no-consent': 1 }, undeclaredFields: [] });
      },
      { cacheTtlMs: 60_000 },
    ));

  it('refuses, by name, fields an event’s category does not collect: strictly necessary cookies carry no page or action', () =>
    withServer(async (server, { store }) => {
      const { visitorId } = await decide(server, []);
      const response = await send(server, {
        visitorId,
        events: [
          { category: 'cookies', name: 'cookie_set', path: '/secret-page', action: 'clicked-buy', timeZone: 'Europe/Paris' },
          { category: 'cookies', name: 'cookie_set' },
        ],
      });
      expect(response.json()).toEqual({ accepted: 1, dropped: { ...noDrops(), 'undeclared-field': 1 }, undeclaredFields: ['cookies.path', 'cookies.action', 'cookies.timeZone'] });
      const rows = await store.db.selectFrom('events').selectAll().execute();
      expect(rows).toHaveLength(1);
      const metrics = await server.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toContain('vow_events_dropped_total{category="cookies",reason="undeclared-field"} 1');
    }));

  it('keeps in the clear only event names the declaration declares: any other name is sealed with its event', () =>
    withServer(async (server, { store, vault }) => {
      const { visitorId, subjectId } = await decide(server, ['analytics']);
      const marker = 'jane.doe@example.com-ordered-wheelchair';
      const response = await send(server, { visitorId, events: [{ category: 'usage-data', name: marker.slice(0, 64) }, { category: 'usage-data', name: 'page_view' }] });
      expect(response.json<EventsJson>().accepted).toBe(2);
      const rows = await store.db.selectFrom('events').selectAll().orderBy('name').execute();
      expect(rows.map((row) => row.name)).toEqual(['custom', 'page_view']);
      expect(JSON.stringify(rows)).not.toContain('wheelchair');
      const subject = await openSubject(vault, store.db, subjectId);
      const [custom] = rows;
      if (!subject || !custom) throw new Error('missing');
      expect(openEvents(subject.dataKey, custom.id, custom.data, custom.occurred_at)).toMatchObject([{ name: marker.slice(0, 64) }]);

      // Hostile bytes are refused by name before anything is stored: a NUL or a lone surrogate, anywhere in the batch.
      for (const name of ['a\u0000b', '\ud800']) {
        const hostile = await send(server, { visitorId, events: [{ category: 'usage-data', name: 'page_view' }, { category: 'usage-data', name }] });
        expect(hostile.statusCode, hostile.body).toBe(400);
        expect(hostile.json<{ error: { problems: { path: string }[] } }>().error.problems.map((problem) => problem.path)).toEqual(['body.events.1.name']);
      }
    }));

  it('limits each address generously unless turned off, and documents the routes', async () => {
    await withServer(async (server) => {
      const response = await send(server, { visitorId: newVisitorId(), events: [{ category: 'usage-data', name: 'page_view' }] });
      expect(response.headers['x-ratelimit-limit']).toBe('1200');
      const openapi = (await server.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/events', '/metrics']));
    });
    await withServer(
      async (server) => {
        const response = await send(server, { visitorId: newVisitorId(), events: [{ category: 'usage-data', name: 'page_view' }] });
        expect(response.statusCode).toBe(202);
        expect(response.headers['x-ratelimit-limit']).toBeUndefined();
      },
      { rateLimit: false },
    );
  });
});
