/**
 * Serving the SDK and the demo: content types, cache validation, the demo's own
 * Content-Security-Policy (no 'unsafe-inline'), and a 503 naming the fix when unbuilt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { installErrorHandler } from '../src/http/error-handler.js';
import { sdkRoutes } from '../src/http/sdk.routes.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';

describe('GET /sdk/vow.js and /demo/ (built by npm run build)', () => {
  let database: TestDatabase;
  let vow: Vow;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    vow = await createVow(database.config());
  });
  afterAll(async () => {
    await vow.close();
    await database.cleanup();
  });

  it('serves the SDK as JavaScript that other sites may load, revalidated by its ETag', async () => {
    const response = await vow.server.inject({ method: 'GET', url: '/sdk/vow.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=300, must-revalidate');
    expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(response.body).toContain('vow_consent');
    const etag = response.headers.etag;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await vow.server.inject({ method: 'GET', url: '/sdk/vow.js', headers: { 'if-none-match': String(etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves the demo with a policy allowing scripts and styles from the site only', async () => {
    const page = await vow.server.inject({ method: 'GET', url: '/demo/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<script src="/sdk/vow.js"');
    expect(page.body).toContain('type="text/plain" data-vow-category="analytics" src="/demo/analytics.js"');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect((await vow.server.inject({ method: 'GET', url: '/demo/analytics.js' })).headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect((await vow.server.inject({ method: 'GET', url: '/demo' })).headers.location).toBe('/demo/');
    const missing = await vow.server.inject({ method: 'GET', url: '/demo/nope.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'not_found', message: 'no demo file nope.js' } });
    // Elsewhere the server's own strict policy still holds.
    expect((await vow.server.inject({ method: 'GET', url: '/privacy' })).headers['content-security-policy']).toContain("default-src 'none'");
  });
});

describe('without a build', () => {
  it('answers 503 saying how to build the SDK', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vow-sdk-'));
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandler(app);
    await app.register(sdkRoutes, { dir });
    try {
      for (const url of ['/sdk/vow.js', '/demo/']) {
        const response = await app.inject({ method: 'GET', url });
        expect(response.statusCode).toBe(503);
        expect(response.json()).toEqual({ error: { code: 'unavailable', message: 'the browser SDK is not built: run npm run build' } });
      }
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
