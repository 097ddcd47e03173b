import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { loadDeclaration } from '../src/policy/load-declaration.js';
import { publishPolicy } from '../src/policy/publish-policy.js';
import { describeEachDatabase } from './support/databases.js';
import { examplePolicy, fixture, shopPolicy } from './support/fixtures.js';

interface ErrorJson {
  error: { code: string; message: string; problems?: { path: string; message: string }[] };
}

describeEachDatabase('the HTTP server', (database) => {
  const withVow = async (test: (server: FastifyInstance, vow: Vow) => Promise<void>, env: Record<string, string> = {}, logs?: string[]) => {
    const vow = await createVow(database().config(env), logs ? { logStream: { write: (line: string) => logs.push(line) } } : {});
    try {
      await test(vow.server, vow);
    } finally {
      await vow.close();
    }
  };

  it('answers /healthz with the database it runs on', () =>
    withVow(async (server) => {
      const response = await server.inject({ method: 'GET', url: '/healthz' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok', database: database().dialect });
    }));

  it('publishes the declaration it starts with, once', async () => {
    await withVow(async (_server, vow) => {
      expect(vow.publication).toMatchObject({ published: true, version: { number: 1 } });
    });
    await withVow(async (_server, vow) => {
      expect(vow.publication).toMatchObject({ published: false, version: { number: 1 } });
    });
    await withVow(
      async (_server, vow) => {
        expect(vow.publication).toMatchObject({ published: true, version: { number: 2 } });
      },
      { VOW_POLICY: fixture('minimal.policy.yaml') },
    );
  });

  it('refuses to start on a broken declaration, naming every problem', async () => {
    await expect(createVow(database().config({ VOW_POLICY: fixture('broken-references.policy.yaml') }))).rejects.toMatchObject({
      code: 'invalid_declaration',
      message: expect.stringContaining('undeclared purpose "profiling"') as unknown,
    });
  });

  it('serves the policy as an accessible page with security headers', () =>
    withVow(async (server) => {
      const response = await server.inject({ method: 'GET', url: '/privacy' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toContain("default-src 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.body).toMatch(/^<!doctype html>/i);
      expect(response.body).toContain('<html lang="en"');
      expect(response.body).toContain('AIRobotics Group');
      expect(response.body).toContain('jade.cong@qq.com');
      expect(response.body).toMatch(/<time datetime="\d{4}-\d{2}-\d{2}"/);
    }));

  it('keeps old versions readable, lists them, and diffs them', () =>
    withVow(async (server, vow) => {
      const { declaration } = await loadDeclaration(examplePolicy);
      await publishPolicy(vow.store.db, { declaration: { ...declaration, minimumAge: 16 }, material: true, actor: 'cli' });

      const versions = await server.inject({ method: 'GET', url: '/v1/policy/versions' });
      expect(versions.json()).toMatchObject({ versions: [{ number: 2, material: true }, { number: 1, material: false }] });

      const latest = await server.inject({ method: 'GET', url: '/v1/policy' });
      expect(latest.json()).toMatchObject({ number: 2, declaration: { minimumAge: 16 } });
      const first = await server.inject({ method: 'GET', url: '/v1/policy?version=1' });
      expect(first.json()).toMatchObject({ number: 1, declaration: { minimumAge: 13, organization: { contactEmail: 'jade.cong@qq.com' } } });

      const page = await server.inject({ method: 'GET', url: '/privacy/versions' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('href="/privacy?version=1"');
      expect(page.body).toContain('href="/privacy?version=2"');

      const oldPage = await server.inject({ method: 'GET', url: '/privacy?version=1' });
      expect(oldPage.body).toMatch(/\b13\b/);
      const newPage = await server.inject({ method: 'GET', url: '/privacy' });
      expect(newPage.body).toMatch(/\b16\b/);

      const diff = await server.inject({ method: 'GET', url: '/v1/policy/diff?from=1&to=2' });
      expect(diff.json()).toEqual({ from: 1, to: 2, changes: [{ kind: 'changed', path: 'minimumAge', before: 13, after: 16 }] });
    }));

  it("publishes the declaration without its systems: the company's own tables are not public", () =>
    withVow(async (server, vow) => {
      const { declaration } = await loadDeclaration(shopPolicy);
      expect(declaration.systems).toHaveLength(1);
      await publishPolicy(vow.store.db, { declaration, material: false, actor: 'cli' });

      const latest = await server.inject({ method: 'GET', url: '/v1/policy?version=2' });
      expect(latest.json()).toMatchObject({ number: 2, declaration: { minimumAge: 13 } });
      expect(latest.json<{ declaration: Record<string, unknown> }>().declaration).not.toHaveProperty('systems');
      expect(latest.body).not.toContain('SHOP_DATABASE_URL');
      const diff = await server.inject({ method: 'GET', url: '/v1/policy/diff?from=1&to=2' });
      expect(diff.json()).toEqual({ from: 1, to: 2, changes: [] });
    }));

  it.each([
    ['/privacy?version=abc', 400, 'bad_request'],
    ['/privacy?version=0', 400, 'bad_request'],
    ['/privacy?version=99', 404, 'version_not_found'],
    ['/privacy?version=1&email=jane@example.com', 400, 'bad_request'],
    ['/v1/policy?version=-1', 400, 'bad_request'],
    ['/v1/policy?version=99999999999', 400, 'bad_request'],
    ['/v1/policy/diff?from=1', 400, 'bad_request'],
    ['/v1/policy/diff?from=1&to=7', 404, 'version_not_found'],
    ["/v1/policy?version=1'%20OR%201=1--", 400, 'bad_request'],
    ['/nowhere', 404, 'not_found'],
  ])('answers %s with %i and a JSON error naming the problem', (url, status, code) =>
    withVow(async (server) => {
      const response = await server.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(status);
      const body = response.json<ErrorJson>();
      expect(body.error.code).toBe(code);
      expect(body.error.message).toBeTruthy();
      expect(response.body).not.toMatch(/at .+\.(ts|js):\d+/);
    }),
  );

  it('names the offending query parameter', () =>
    withVow(async (server) => {
      const response = await server.inject({ method: 'GET', url: '/privacy?version=abc' });
      expect(response.json<ErrorJson>().error.problems).toEqual([expect.objectContaining({ path: 'querystring.version' })]);
    }));

  it('refuses a malformed body without echoing it', () =>
    withVow(async (server) => {
      const response = await server.inject({
        method: 'POST',
        url: '/v1/policy',
        headers: { 'content-type': 'application/json' },
        payload: '{"email": "jane@example.com"',
      });
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.body).not.toContain('jane@example.com');
    }));

  it('describes its API in an OpenAPI document generated from the route schemas', () =>
    withVow(async (server) => {
      const response = await server.inject({ method: 'GET', url: '/openapi.json' });
      const document = response.json<{ openapi: string; paths: Record<string, unknown> }>();
      expect(document.openapi).toMatch(/^3\./);
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining(['/healthz', '/privacy', '/privacy/versions', '/v1/policy', '/v1/policy/versions', '/v1/policy/diff']),
      );
      expect(JSON.stringify(document.paths['/v1/policy'])).toContain('version');
    }));

  it('logs one JSON line a request, readable in its message, with truncated addresses and no query strings', async () => {
    const logs: string[] = [];
    await withVow(
      async (server) => {
        await server.inject({ method: 'GET', url: '/privacy?version=1&email=jane@example.com', remoteAddress: '203.0.113.57' });
        await server.inject({ method: 'GET', url: '/healthz', remoteAddress: '2001:db8:85a3:8d3:1319:8a2e:370:7348' });
      },
      { LOG_LEVEL: 'info' },
      logs,
    );
    const text = logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(text).toContain('"ip":"203.0.113.0"');
    expect(text).toContain('"ip":"2001:db8:85a3::"');
    expect(text).not.toContain('203.0.113.57');
    expect(text).not.toContain('1319:8a2e');
    expect(text).not.toContain('jane@example.com');
    const requests = logs.map((line) => JSON.parse(line) as { msg: string; res?: { statusCode: number } }).filter((line) => line.res !== undefined);
    expect(requests.map((line) => line.msg.replace(/ [\d.]+ ms$/, ''))).toEqual(['GET /privacy 400', 'GET /healthz 200']);
  });
});
