/**
 * Behind a reverse proxy (VOW_TRUST_PROXY): the client's address comes from the proxy's
 * X-Forwarded-For, for log data and for the limits on failed authentication; from anyone
 * else, and by default, X-Forwarded-For is ignored, so no client can pass for another.
 */
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { openEvents } from '../src/collect/event-data.js';
import { openSubject } from '../src/vault/subject-store.js';
import { describeEachDatabase } from './support/databases.js';

describeEachDatabase('behind a proxy', (database) => {
  const withVow = async (env: Record<string, string>, test: (vow: Vow) => Promise<void>) => {
    const vow = await createVow(database().config(env));
    try {
      await test(vow);
    } finally {
      await vow.close();
    }
  };
  /** The truncated address log data kept for one request from `remoteAddress` carrying `forwardedFor`. */
  const loggedAddress = async (vow: Vow, remoteAddress: string, forwardedFor: string) => {
    const banner = (await vow.server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<{ policyVersion: number; bannerHash: string }>();
    const consent = await vow.server.inject({
      method: 'POST',
      url: '/v1/consent',
      payload: { granted: [], refused: ['analytics', 'advertising'], source: 'banner', policyVersion: banner.policyVersion, bannerHash: banner.bannerHash },
    });
    const { visitorId, subjectId } = consent.json<{ visitorId: string; subjectId: string }>();
    const sent = await vow.server.inject({
      method: 'POST',
      url: '/v1/events',
      remoteAddress,
      headers: { 'x-forwarded-for': forwardedFor },
      payload: { visitorId, events: [{ category: 'log-data', name: 'request', method: 'GET', path: '/', status: 200 }] },
    });
    expect(sent.json()).toMatchObject({ accepted: 1 });
    const subject = await openSubject(vow.vault, vow.store.db, subjectId);
    const row = await vow.store.db.selectFrom('events').selectAll().where('subject_id', '=', subjectId).executeTakeFirstOrThrow();
    if (!subject) throw new Error('no subject');
    return openEvents(subject.dataKey, row.id, row.data, row.occurred_at)[0]?.ip;
  };
  const guess = (vow: Vow, remoteAddress: string, forwardedFor: string) =>
    vow.server.inject({ method: 'GET', url: '/v1/requests', remoteAddress, headers: { authorization: 'Bearer vow_wrong', 'x-forwarded-for': forwardedFor } });

  it('takes the client from a trusted proxy, for log data and for the limit on failed keys', () =>
    withVow({ VOW_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }, async (vow) => {
      expect(await loggedAddress(vow, '10.1.2.3', '203.0.113.77')).toBe('203.0.113.0');
      // Each client behind the proxy has its own limit.
      for (let attempt = 0; attempt < 20; attempt += 1) expect((await guess(vow, '127.0.0.1', '198.51.100.1')).statusCode).toBe(401);
      expect((await guess(vow, '127.0.0.1', '198.51.100.1')).statusCode).toBe(429);
      expect((await guess(vow, '127.0.0.1', '198.51.100.2')).statusCode).toBe(401);
      // A client that is not a trusted proxy cannot say who it is.
      expect(await loggedAddress(vow, '192.0.2.50', '203.0.113.77')).toBe('192.0.2.0');
    }));

  it('ignores X-Forwarded-For by default', () =>
    withVow({}, async (vow) => {
      expect(await loggedAddress(vow, '192.0.2.50', '203.0.113.77')).toBe('192.0.2.0');
      for (let attempt = 0; attempt < 20; attempt += 1) await guess(vow, '192.0.2.60', `198.51.100.${attempt}`);
      // Twenty addresses claimed, one socket: one limit.
      expect((await guess(vow, '192.0.2.60', '198.51.100.99')).statusCode).toBe(429);
    }));

  it('refuses a malformed list of proxies at start', () => {
    expect(() => database().config({ VOW_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/VOW_TRUST_PROXY/);
    expect(() => database().config({ VOW_TRUST_PROXY: 'proxy.example.com' })).toThrow(/VOW_TRUST_PROXY/);
    return Promise.resolve();
  });
});
