import { expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { recordConsent } from '../consent/record-consent.js';
import type { Signals } from '../consent/signals.js';
import { newVisitorId } from '../consent/visitor-id.js';
import type { Declaration } from '../policy/declaration.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { publishPolicy } from '../policy/publish-policy.js';
import type { Store } from '../store/open-store.js';
import { openVault } from '../vault/open-vault.js';
import { openSubject } from '../vault/subject-store.js';
import type { VaultContext } from '../vault/vault-context.js';
import { openEvents } from './event-data.js';
import { eventIdPattern, noDrops, type EventInput } from './event.js';
import { ingestEvents, type IngestEventsOptions } from './ingest-events.js';
import { createIngestor, type Ingestor } from './ingestor.js';
import { createEventMetrics, type EventMetrics } from './metrics.js';

const { declaration: example } = await loadDeclaration(examplePolicy);
/**
 * The example, with every technical category collected only with consent, and the strictly
 * necessary cookie category also collecting log data (as a site logging requests through
 * its cookie would declare).
 */
const withLogData: Declaration = {
  ...example,
  categories: example.categories.map((category) => ({ ...category, collection: undefined })),
  cookies: example.cookies.map((group) => (group.necessary ? { ...group, collects: [...group.collects, 'log-data'] } : group)),
};
const none: Signals = { gpc: false, dnt: false };
const gpc: Signals = { gpc: true, dnt: false };
const androidChrome = 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const request: IngestEventsOptions['request'] = {
  ip: '203.0.113.77',
  userAgent: androidChrome,
  hints: { ua: '"Google Chrome";v="124", "Chromium";v="124", "Not-A.Brand";v="99"', platform: '"Android"', mobile: '?1', model: '"Pixel 7"' },
  country: 'FR',
};
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);

interface Setup {
  store: Store;
  vault: VaultContext;
  ingestor: Ingestor;
  metrics: EventMetrics;
  policyVersion: number;
  /** Records a decision through the consent engineer's `recordConsent` (source api). */
  consent: (granted: string[], options?: { visitorId?: string; now?: Date; signals?: Signals }) => Promise<{ visitorId: string; subjectId: string }>;
  ingest: (visitorId: string, events: EventInput[], options?: { now?: Date; signals?: Signals }) => ReturnType<typeof ingestEvents>;
}

describeEachDatabase('event ingestion', (database) => {
  const withIngestor = (test: (setup: Setup) => Promise<void>, options: { declaration?: Declaration; cacheTtlMs?: number } = {}) =>
    withStore(database(), async (store) => {
      const declaration = options.declaration ?? withLogData;
      const { version } = await publishPolicy(store.db, { declaration, material: false, actor: 'system' });
      const vault = await openVault({ db: store.db, dataDir: database().dataDir, masterKeys: undefined, declaration });
      const metrics = createEventMetrics({ processMetrics: false });
      const ingestor = createIngestor(vault, { counter: metrics, ...(options.cacheTtlMs === undefined ? {} : { cacheTtlMs: options.cacheTtlMs }) });
      const refusedOf = (granted: string[]) => declaration.cookies.filter((group) => !group.necessary && !granted.includes(group.id)).map((group) => group.id);
      await test({
        store,
        vault,
        ingestor,
        metrics,
        policyVersion: version.number,
        consent: (granted, consentOptions = {}) =>
          recordConsent(vault, {
            granted,
            refused: refusedOf(granted),
            source: 'api',
            policyVersion: version.number,
            bannerHash: '0'.repeat(64),
            signals: consentOptions.signals ?? none,
            visitorId: consentOptions.visitorId,
            now: consentOptions.now ?? at(0),
          }),
        ingest: (visitorId, events, ingestOptions = {}) =>
          ingestEvents(ingestor, { visitorId, events, signals: ingestOptions.signals ?? none, request, now: ingestOptions.now ?? at(1000) }),
      });
    });

  it('stores consented events with dimensions in the clear and the rest sealed: device parsed, address truncated, queries gone', () =>
    withIngestor(async ({ store, vault, consent, ingest }) => {
      const { visitorId, subjectId } = await consent(['analytics']);
      const now = at(2 * 60 * 60 * 1000);
      const result = await ingest(
        visitorId,
        [
          { category: 'usage-data', name: 'page_view', path: '/pricing?email=ada@example.com#token=secret', features: ['dark-mode'], timeZone: 'Europe/Paris', occurredAt: new Date(now.getTime() - 60_000).toISOString() },
          { category: 'log-data', name: 'request', method: 'GET', path: '/api/orders?session=s3cr3t', status: 200 },
          { category: 'analytics', name: 'action', action: 'signup-click', occurredAt: '2026-02-01T00:00:00Z' },
          { category: 'cookies', name: 'cookie_set' },
          { category: 'device-information', name: 'device' },
        ],
        { now },
      );
      // The example declares no cookie category collecting device information: refused.
      expect(result).toEqual({ accepted: 4, dropped: { ...noDrops(), 'no-consent': 1 }, undeclaredFields: [] });

      const rows = await store.db.selectFrom('events').selectAll().orderBy('category').execute();
      expect(rows.map((row) => [row.category, row.name, row.country, row.subject_id])).toEqual([
        ['analytics', 'action', 'FR', subjectId],
        ['cookies', 'cookie_set', 'FR', subjectId],
        ['log-data', 'request', 'FR', subjectId],
        ['usage-data', 'page_view', 'FR', subjectId],
      ]);
      const [analytics, cookies, logData, usage] = rows;
      expect(usage?.occurred_at).toBe(new Date(now.getTime() - 60_000).toISOString());
      // A client clock more than a day off is replaced by the server's.
      expect(analytics?.occurred_at).toBe(now.toISOString());
      expect(rows.every((row) => row.received_at === now.toISOString() && eventIdPattern.test(row.id))).toBe(true);

      const text = JSON.stringify(rows);
      for (const secret of ['203.0.113', 'pricing', 'api/orders', 'ada@example.com', 'secret', 's3cr3t', 'Pixel', 'Chrome', 'Europe/Paris', 'signup-click']) {
        expect(text).not.toContain(secret);
      }

      const subject = await openSubject(vault, store.db, subjectId);
      if (!subject || !usage || !logData || !analytics || !cookies) throw new Error('missing');
      expect(openEvents(subject.dataKey, usage.id, usage.data, usage.occurred_at)).toEqual([
        {
          occurredAt: usage.occurred_at,
          path: '/pricing',
          features: ['dark-mode'],
          timeZone: 'Europe/Paris',
          device: { browser: 'Chrome', browserVersion: '124', os: 'Android', deviceType: 'mobile' },
        },
      ]);
      expect(openEvents(subject.dataKey, logData.id, logData.data, logData.occurred_at)).toEqual([
        { occurredAt: now.toISOString(), method: 'GET', path: '/api/orders', status: 200, ip: '203.0.113.0', device: { browser: 'Chrome', browserVersion: '124' } },
      ]);
      expect(openEvents(subject.dataKey, analytics.id, analytics.data, analytics.occurred_at)).toEqual([{ occurredAt: now.toISOString(), action: 'signup-click' }]);
      expect(openEvents(subject.dataKey, cookies.id, cookies.data, cookies.occurred_at)).toEqual([{ occurredAt: now.toISOString() }]);
      // Sealed to its own row: moved to another row, it does not open.
      expect(() => openEvents(subject.dataKey, usage.id, logData.data, usage.occurred_at)).toThrow();

      // Activity moves the subject's last activity forward, for retention counted from it.
      const { last_activity_at } = await store.db.selectFrom('subjects').select('last_activity_at').where('id', '=', subjectId).executeTakeFirstOrThrow();
      expect(last_activity_at).toBe(now.toISOString());
    }));

  it('stores device information with the model when the declaration has a cookie category collecting it', () =>
    withIngestor(
      async ({ store, vault, consent, ingest }) => {
        const { visitorId, subjectId } = await consent(['analytics']);
        expect((await ingest(visitorId, [{ category: 'device-information', name: 'device' }])).accepted).toBe(1);
        const row = await store.db.selectFrom('events').selectAll().executeTakeFirstOrThrow();
        const subject = await openSubject(vault, store.db, subjectId);
        expect(subject && openEvents(subject.dataKey, row.id, row.data, row.occurred_at)).toEqual([
          { occurredAt: row.occurred_at, device: { browser: 'Chrome', browserVersion: '124', os: 'Android', deviceType: 'mobile', model: 'Pixel 7' } },
        ]);
      },
      {
        declaration: {
          ...withLogData,
          cookies: withLogData.cookies.map((group) => (group.id === 'analytics' ? { ...group, collects: [...group.collects, 'device-information'] } : group)),
        },
      },
    ));

  it('drops events of unknown visitors, undeclared categories and refused cookie categories, and counts them', () =>
    withIngestor(async ({ store, consent, ingest, metrics }) => {
      const stranger = newVisitorId();
      expect(await ingest(stranger, [{ category: 'usage-data', name: 'page_view' }, { category: 'made-up', name: 'x' }])).toEqual({
        accepted: 0,
        dropped: { ...noDrops(), 'unknown-visitor': 1, 'undeclared-category': 1 },
        undeclaredFields: [],
      });
      // Categories of other kinds are not technical information.
      expect((await ingest(stranger, [{ category: 'account', name: 'x' }])).dropped['undeclared-category']).toBe(1);

      const { visitorId } = await consent([]);
      expect(
        await ingest(visitorId, [
          { category: 'usage-data', name: 'page_view' },
          { category: 'analytics', name: 'page_view' },
          { category: 'cookies', name: 'cookie_set' },
        ]),
      ).toEqual({ accepted: 1, dropped: { ...noDrops(), 'no-consent': 2 }, undeclaredFields: [] });
      expect(await store.db.selectFrom('events').select('category').execute()).toEqual([{ category: 'cookies' }]);

      const text = await metrics.render();
      expect(text).toContain('vow_events_accepted_total{category="cookies"} 1');
      expect(text).toContain('vow_events_dropped_total{category="usage-data",reason="unknown-visitor"} 1');
      expect(text).toContain('vow_events_dropped_total{category="undeclared",reason="undeclared-category"} 2');
      expect(text).toContain('vow_events_dropped_total{category="usage-data",reason="no-consent"} 1');
      expect(text).toContain('vow_events_dropped_total{category="analytics",reason="no-consent"} 1');
      expect(text).not.toContain('made-up');
    }));

  it('drops what only an opted-out cookie category collects when the request carries Sec-GPC', () =>
    withIngestor(async ({ consent, ingest }) => {
      const events: EventInput[] = [
        { category: 'usage-data', name: 'page_view' },
        { category: 'cookies', name: 'cookie_set' },
      ];
      // Advertising alone collects usage data for this visitor; cookies are also collected by a strictly necessary category.
      const advertisingOnly = await consent(['advertising']);
      expect(await ingest(advertisingOnly.visitorId, events, { signals: gpc })).toEqual({ accepted: 1, dropped: { ...noDrops(), 'signal-opt-out': 1 }, undeclaredFields: [] });
      expect(await ingest(advertisingOnly.visitorId, events, { signals: none })).toEqual({ accepted: 2, dropped: noDrops(), undeclaredFields: [] });
      // Analytics, which no signal opts out of, also collects usage data.
      const both = await consent(['analytics', 'advertising']);
      expect((await ingest(both.visitorId, events, { signals: gpc })).accepted).toBe(2);
    }));

  it('lets a withdrawal take effect within the cache TTL, and a first decision at once', () =>
    withIngestor(
      async ({ consent, ingest }) => {
        const event: EventInput[] = [{ category: 'usage-data', name: 'page_view' }];
        const visitorId = newVisitorId();
        // Not yet known: not cached either, so the first decision counts for the very next batch.
        expect((await ingest(visitorId, event, { now: at(0) })).dropped['unknown-visitor']).toBe(1);
        await consent(['analytics'], { visitorId, now: at(500) });
        expect((await ingest(visitorId, event, { now: at(1000) })).accepted).toBe(1);

        await consent([], { visitorId, now: at(2000) });
        // Within the TTL of the read at 1 s, the cached consent still stands…
        expect((await ingest(visitorId, event, { now: at(5999) })).accepted).toBe(1);
        // …and from then on the withdrawal holds.
        expect(await ingest(visitorId, event, { now: at(6000) })).toEqual({ accepted: 0, dropped: { ...noDrops(), 'no-consent': 1 }, undeclaredFields: [] });
      },
      { cacheTtlMs: 5000 },
    ));

  it('does not take consent given under an older policy version for what a cookie category collects only since', () =>
    withIngestor(async ({ store, vault, consent, ingest }) => {
      const { visitorId } = await consent(['analytics']);
      const widened: Declaration = {
        ...withLogData,
        cookies: withLogData.cookies.map((group) => (group.id === 'analytics' ? { ...group, collects: [...group.collects, 'device-information'] } : group)),
      };
      const { version } = await publishPolicy(store.db, { declaration: widened, material: true, actor: 'test' });
      const ingestor = createIngestor({ ...vault, declaration: widened });
      const events: EventInput[] = [
        { category: 'usage-data', name: 'page_view' },
        { category: 'device-information', name: 'device' },
      ];
      const run = (now: Date) => ingestEvents(ingestor, { visitorId, events, signals: none, request, now });
      expect(await run(at(1000))).toEqual({ accepted: 1, dropped: { ...noDrops(), 'no-consent': 1 }, undeclaredFields: [] });
      await recordConsent(vault, { visitorId, granted: ['analytics'], refused: ['advertising'], source: 'api', policyVersion: version.number, bannerHash: '0'.repeat(64), signals: none, now: at(2000) });
      expect((await run(at(10_000))).accepted).toBe(2);
      expect(await ingest(visitorId, events)).toMatchObject({ accepted: 1 });
    }));

  it('collects log data and device information on legitimate interests, as the example declares, whatever the cookie choices', () =>
    withIngestor(
      async ({ store, consent, ingest }) => {
        const { visitorId } = await consent([]);
        const events: EventInput[] = [
          { category: 'log-data', name: 'request', method: 'GET', path: '/pricing', status: 200 },
          { category: 'device-information', name: 'device' },
          { category: 'usage-data', name: 'page_view', path: '/pricing' },
        ];
        expect(await ingest(visitorId, events)).toEqual({ accepted: 2, dropped: { ...noDrops(), 'no-consent': 1 }, undeclaredFields: [] });
        expect((await store.db.selectFrom('events').select('category').orderBy('category').execute()).map((row) => row.category)).toEqual(['device-information', 'log-data']);
        expect((await ingest(newVisitorId(), events)).dropped['unknown-visitor']).toBe(3);
      },
      { declaration: example },
    ));

  it('stores the events of a request that share category, name and hour in one row, each with its own time', () =>
    withIngestor(async ({ store, vault, consent, ingest }) => {
      const { visitorId, subjectId } = await consent(['analytics']);
      const now = at(2 * 60 * 60 * 1000);
      const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
      const pages = [50, 40, 70].map((minutes, i): EventInput => ({ category: 'usage-data', name: 'page_view', path: `/docs/${i}`, occurredAt: minutesAgo(minutes) }));
      const result = await ingest(
        visitorId,
        [...pages, { category: 'analytics', name: 'action', action: 'signup-click', occurredAt: minutesAgo(50) }, { category: 'usage-data', name: 'feature', features: ['search'] }],
        { now },
      );
      expect(result).toEqual({ accepted: 5, dropped: noDrops(), undeclaredFields: [] });

      const rows = await store.db.selectFrom('events').selectAll().orderBy('category').orderBy('name').orderBy('occurred_at').execute();
      // 70 minutes ago is 08:50, an hour apart from 09:10 and 09:20: a row of its own.
      expect(rows.map((row) => [row.category, row.name, row.occurred_at, row.event_count])).toEqual([
        ['analytics', 'action', minutesAgo(50), 1],
        ['usage-data', 'feature', now.toISOString(), 1],
        ['usage-data', 'page_view', minutesAgo(70), 1],
        ['usage-data', 'page_view', minutesAgo(50), 2],
      ]);
      const subject = await openSubject(vault, store.db, subjectId);
      const shared = rows[3];
      if (!subject || !shared) throw new Error('missing');
      expect(openEvents(subject.dataKey, shared.id, shared.data, shared.occurred_at).map(({ occurredAt, path }) => [occurredAt, path])).toEqual([
        [minutesAgo(50), '/docs/0'],
        [minutesAgo(40), '/docs/1'],
      ]);
    }));

  it('shares commits between concurrent requests, and refuses only the events of a subject erased meanwhile', () =>
    withIngestor(async ({ store, consent, ingest }) => {
      const visitors = await Promise.all(Array.from({ length: 8 }, (_, i) => consent(['analytics'], { now: at(i) })));
      const batch = (n: number): EventInput[] => Array.from({ length: n }, (_, i) => ({ category: 'usage-data', name: 'page_view', path: `/p/${i}` }));
      const first = await Promise.all(visitors.flatMap((visitor) => [ingest(visitor.visitorId, batch(20)), ingest(visitor.visitorId, batch(3))]));
      expect(first.every((result, i) => result.accepted === (i % 2 === 0 ? 20 : 3))).toBe(true);
      const [gone, ...kept] = visitors;
      if (!gone) throw new Error('no visitor');
      await store.db.deleteFrom('subjects').where('id', '=', gone.subjectId).execute();
      // The erased visitor is still cached: its rows reach the database, which refuses them by the foreign key.
      const second = await Promise.all([ingest(gone.visitorId, batch(5)), ...kept.map((visitor) => ingest(visitor.visitorId, batch(5)))]);
      expect(second[0]).toEqual({ accepted: 0, dropped: { ...noDrops(), 'unknown-visitor': 5 }, undeclaredFields: [] });
      expect(second.slice(1).every((result) => result.accepted === 5)).toBe(true);
      const { n } = await store.db.selectFrom('events').select((eb) => eb.fn.sum<string | number>('event_count').as('n')).executeTakeFirstOrThrow();
      expect(Number(n)).toBe(7 * (23 + 5));
      expect((await ingest(gone.visitorId, batch(1))).dropped['unknown-visitor']).toBe(1);
    }));
});
