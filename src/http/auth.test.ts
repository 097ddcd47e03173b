import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { issueApiKey, revokeApiKey } from '../auth/api-key.js';
import type { Store } from '../store/open-store.js';
import { bearerSecret, createAuth } from './auth.js';
import { installErrorHandler } from './error-handler.js';
import { createFailedAuthLimit } from './failed-auth-limit.js';

async function serverFor(store: Store) {
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  const auth = createAuth(store.db);
  app.get(
    '/audit',
    { onRequest: auth.requirePermission('audit:read'), schema: { querystring: z.object({ limit: z.coerce.number().optional() }) } },
    (request) => ({ keyId: request.actor?.keyId, role: request.actor?.role, limit: request.query.limit }),
  );
  app.post('/keys', { preHandler: auth.requirePermission('keys:manage') }, () => ({ ok: true }));
  await app.ready();
  return app;
}

describe('the bearer header', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['Bearer', undefined],
    ['Basic abc', undefined],
    ['Bearer abc', 'abc'],
    ['bearer  abc', 'abc'],
    ['Bearer abc def', undefined],
  ])('%j gives %j', (header, secret) => {
    expect(bearerSecret(header)).toBe(secret);
  });
});

describeEachDatabase('requirePermission', (database) => {
  it('admits a key whose role has the permission and sets request.actor', () =>
    withStore(database(), async (store) => {
      const app = await serverFor(store);
      const auditor = await issueApiKey(store.db, { role: 'auditor', purposes: [], actor: 'test' });
      const response = await app.inject({ url: '/audit?limit=3', headers: { authorization: `Bearer ${auditor.secret}` } });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ keyId: auditor.id, role: 'auditor', limit: 3 });
      await app.close();
    }));

  it('answers 401 without a valid key and 403 when the role may not', () =>
    withStore(database(), async (store) => {
      const app = await serverFor(store);
      const auditor = await issueApiKey(store.db, { role: 'auditor', purposes: [], actor: 'test' });
      const missing = await app.inject({ url: '/audit' });
      expect(missing.statusCode).toBe(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      expect(missing.json()).toEqual({ error: { code: 'unauthorized', message: 'missing or invalid API key' } });
      const wrong = await app.inject({ url: '/audit', headers: { authorization: `Bearer ${auditor.secret.slice(0, -1)}${auditor.secret.endsWith('A') ? 'B' : 'A'}` } });
      expect(wrong.statusCode).toBe(401);
      const forbidden = await app.inject({ method: 'POST', url: '/keys', headers: { authorization: `Bearer ${auditor.secret}` } });
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.json()).toEqual({ error: { code: 'forbidden', message: 'role auditor may not keys:manage' } });
      await revokeApiKey(store.db, { id: auditor.id, actor: 'test' });
      expect((await app.inject({ url: '/audit', headers: { authorization: `Bearer ${auditor.secret}` } })).statusCode).toBe(401);
      await app.close();
    }));
});

describeEachDatabase('guessing keys', (database) => {
  it('refuses an address that failed too often, valid key or not, until its window ends; other addresses are unaffected', () =>
    withStore(database(), async (store) => {
      const app = Fastify().withTypeProvider<ZodTypeProvider>();
      installErrorHandler(app);
      let now = Date.parse('2026-12-02T10:00:00Z');
      const limit = createFailedAuthLimit({ max: 5, windowMs: 60_000 });
      const clock = { blocked: (address: string) => limit.blocked(address, now), failed: (address: string) => { limit.failed(address, now); } };
      const auth = createAuth(store.db, undefined, clock);
      app.get('/audit', { onRequest: auth.requirePermission('audit:read') }, () => ({ ok: true }));
      await app.ready();
      const { secret } = await issueApiKey(store.db, { role: 'auditor', purposes: [], actor: 'test' });
      const call = (key: string, remoteAddress = '198.51.100.7') => app.inject({ method: 'GET', url: '/audit', headers: { authorization: `Bearer ${key}` }, remoteAddress });

      for (let attempt = 0; attempt < 5; attempt += 1) expect((await call(`vow_guess${attempt}`)).statusCode).toBe(401);
      const blocked = await call(secret);
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json()).toMatchObject({ error: { code: 'rate_limited' } });
      expect((await call(secret, '203.0.113.9')).statusCode).toBe(200);
      now += 61_000;
      expect((await call(secret)).statusCode).toBe(200);
      await app.close();
    }));
});
