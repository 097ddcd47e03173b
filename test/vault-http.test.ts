import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import type { Role } from '../src/auth/role.js';
import { describeEachDatabase } from './support/databases.js';

interface ErrorJson {
  error: { code: string; message: string; problems?: { path: string; message: string }[] };
}

const jane = { email: 'jane.http@example.com', name: 'Jane Httpson', birthDate: '1988-02-29' };

describeEachDatabase('collection and purpose-limited use over HTTP', (database) => {
  const withVow = async (test: (server: FastifyInstance, vow: Vow, logs: string[]) => Promise<void>) => {
    const logs: string[] = [];
    const vow = await createVow(database().config({ LOG_LEVEL: 'info' }), { logStream: { write: (line: string) => logs.push(line) } });
    try {
      await test(vow.server, vow, logs);
    } finally {
      await vow.close();
    }
  };
  const keyFor = async (vow: Vow, role: Role, purposes: string[] = []) =>
    (await issueApiKey(vow.store.db, { role, purposes, actor: 'test' })).secret;
  const signUp = async (server: FastifyInstance, fields: Record<string, unknown> = jane) => {
    const response = await server.inject({ method: 'POST', url: '/v1/accounts', payload: fields });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  };

  it('issues a one-time admin key on the first start only', async () => {
    await withVow(async (_server, vow) => {
      expect(vow.firstAdminKey).toMatch(/^vow_key_/);
    });
    await withVow(async (_server, vow) => {
      expect(vow.firstAdminKey).toBeUndefined();
    });
  });

  it('opens an account and reads it back only with a key issued for the purpose', () =>
    withVow(async (server, vow) => {
      const id = await signUp(server);
      const support = await keyFor(vow, 'support', ['communicate']);
      const ok = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/data?purpose=communicate`, headers: { authorization: `Bearer ${support}` } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ subjectId: id, purpose: 'communicate', categories: [{ category: 'account', records: [{ fields: jane }] }] });

      const otherPurpose = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/data?purpose=develop-services`, headers: { authorization: `Bearer ${support}` } });
      expect(otherPurpose.statusCode).toBe(403);
      expect(otherPurpose.json<ErrorJson>().error.message).toContain('rule: key-purpose');

      const undeclared = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/data?purpose=advertising`, headers: { authorization: `Bearer ${support}` } });
      expect(undeclared.json<ErrorJson>().error.message).toContain('rule: purpose-declared');

      const account = await server.inject({ method: 'GET', url: `/v1/accounts/${id}?purpose=communicate`, headers: { authorization: `Bearer ${support}` } });
      expect(account.json()).toMatchObject({ categories: [{ category: 'account' }] });
    }));

  it('corrects an account through PATCH', () =>
    withVow(async (server, vow) => {
      const id = await signUp(server);
      const admin = await keyFor(vow, 'admin');
      const patched = await server.inject({ method: 'PATCH', url: `/v1/accounts/${id}`, headers: { authorization: `Bearer ${admin}` }, payload: { name: 'Jane Corrected' } });
      // The service providers and affiliates declared to receive account data hold it without a recorded disclosure: staff tell each.
      expect(patched.json()).toEqual({ id, updated: ['name'], recipientsNotified: [], recipientsToldByStaff: ['affiliates', 'cloud', 'email', 'events', 'hosting', 'it-services'] });
      const read = await server.inject({ method: 'GET', url: `/v1/accounts/${id}?purpose=provide-services`, headers: { authorization: `Bearer ${admin}` } });
      expect(read.json()).toMatchObject({ categories: [{ records: [{ fields: { ...jane, name: 'Jane Corrected' } }] }] });
    }));

  it('keeps messages from the contact form and lists the choices they leave', () =>
    withVow(async (server, vow) => {
      const sent = await server.inject({ method: 'POST', url: '/v1/communications', payload: { name: 'Pat Writer', email: 'pat@example.com', message: 'Hello there' } });
      expect(sent.statusCode).toBe(202);
      // The answer names no one; staff find the writer's subject by the address (here, straight from the store).
      expect(sent.json()).toEqual({ received: true });
      const { id } = await vow.store.db.selectFrom('subjects').select('id').where('kind', '=', 'contact').executeTakeFirstOrThrow();
      const auditor = await keyFor(vow, 'auditor');
      const choices = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/choices`, headers: { authorization: `Bearer ${auditor}` } });
      expect(choices.statusCode).toBe(200);
      expect(choices.json()).toMatchObject({ subjectId: id, available: [{ feature: 'contact-form' }] });
    }));

  it('refuses a child at the age gate with a clear error, and neither stores nor logs anything about the child', () =>
    withVow(async (server, vow, logs) => {
      const child = { email: 'kid.gate@example.com', name: 'Kiddo Gatekeeper', birthDate: `${new Date().getUTCFullYear() - 9}-06-15` };
      const response = await server.inject({ method: 'POST', url: '/v1/accounts', payload: child });
      expect(response.statusCode).toBe(403);
      expect(response.json<ErrorJson>().error).toEqual({
        code: 'under_minimum_age',
        message: 'AIRobotics does not collect personal information from children under 13; nothing was stored',
      });
      expect(await vow.store.db.selectFrom('subjects').selectAll().execute()).toEqual([]);
      const audited = await vow.store.db.selectFrom('audit_log').select('action').execute();
      expect(audited.map((row) => row.action)).toEqual(['policy.published', 'key.issued']);
      const text = logs.join('');
      for (const value of Object.values(child)) expect(text).not.toContain(value);
    }));

  it('keeps personal data out of the logs and error messages', () =>
    withVow(async (server, vow, logs) => {
      const secret = { email: 'log.scan@example.com', name: 'Loggy McScanface', message: 'my secret message about Xylophones' };
      const id = await signUp(server, { email: secret.email, name: secret.name, birthDate: '1970-01-01' });
      await server.inject({ method: 'POST', url: '/v1/communications', payload: secret });
      const conflict = await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: secret.email, name: secret.name, birthDate: '1970-01-01' } });
      // Answered as a new sign-up: the route never tells whether the address has an account.
      expect(conflict.statusCode).toBe(201);
      const admin = await keyFor(vow, 'admin');
      await server.inject({ method: 'GET', url: `/v1/subjects/${id}/data?purpose=communicate`, headers: { authorization: `Bearer ${admin}` } });
      const text = logs.join('') + conflict.body;
      expect(text).toContain(id.slice(0, 4));
      for (const value of [secret.email, secret.name, 'Xylophones', admin]) expect(text).not.toContain(value);
    }));

  // Expected outcome per role, written out rather than derived from the role table it checks.
  const endpoints = [
    { name: 'read account', method: 'GET', path: (id: string) => `/v1/accounts/${id}?purpose=communicate`, allowed: ['admin', 'privacy-officer', 'support'] },
    { name: 'correct account', method: 'PATCH', path: (id: string) => `/v1/accounts/${id}`, body: { name: 'New Name' }, allowed: ['admin', 'privacy-officer', 'support'] },
    { name: 'read subject data', method: 'GET', path: (id: string) => `/v1/subjects/${id}/data?purpose=communicate`, allowed: ['admin', 'privacy-officer', 'support'] },
    { name: 'read choices', method: 'GET', path: (id: string) => `/v1/subjects/${id}/choices`, allowed: ['admin', 'privacy-officer', 'support', 'auditor'] },
    { name: 'import social data', method: 'POST', path: () => '/v1/social/imports', body: { interactions: [], aggregates: [] }, allowed: ['admin', 'privacy-officer'] },
  ] as const;
  const allRoles: Role[] = ['admin', 'privacy-officer', 'support', 'auditor'];

  it('admits exactly the roles allowed on every endpoint, and no one without a valid key', () =>
    withVow(async (server, vow) => {
      const id = await signUp(server);
      const keys = Object.fromEntries(await Promise.all(allRoles.map(async (role) => [role, await keyFor(vow, role, ['communicate'])] as const)));
      for (const endpoint of endpoints) {
        for (const role of allRoles) {
          const response = await server.inject({
            method: endpoint.method,
            url: endpoint.path(id),
            headers: { authorization: `Bearer ${keys[role] ?? ''}` },
            ...('body' in endpoint ? { payload: endpoint.body } : {}),
          });
          const success = endpoint.method === 'POST' ? 201 : 200;
          const expected = (endpoint.allowed as readonly string[]).includes(role) ? success : 403;
          expect(response.statusCode, `${role} → ${endpoint.name}: ${response.body}`).toBe(expected);
        }
        for (const authorization of [undefined, 'Bearer vow_key_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'Basic abc']) {
          const response = await server.inject({ method: endpoint.method, url: endpoint.path(id), headers: authorization ? { authorization } : {} });
          expect(response.statusCode, `${String(authorization)} → ${endpoint.name}`).toBe(401);
        }
      }
    }));

  it.each([
    ['an undeclared field', { ...jane, favouriteColour: 'blue' }, 400, 'favouriteColour'],
    ['a wrong type', { ...jane, name: 42 }, 400, 'name'],
    ['a bad e-mail', { ...jane, email: 'not-an-email' }, 400, 'email'],
    ['a missing birth date', { email: jane.email, name: jane.name }, 400, 'birthDate'],
    ['an injection string', { ...jane, name: "Robert'); DROP TABLE subjects;--", email: "x'--@example.com" }, 201, undefined],
    ['an array instead of an object', [jane], 400, undefined],
  ])('answers a sign-up with %s as it should', (_what, body, status, field) =>
    withVow(async (server, vow) => {
      const response = await server.inject({ method: 'POST', url: '/v1/accounts', payload: body as object });
      expect(response.statusCode, response.body).toBe(status);
      if (field) expect(response.json<ErrorJson>().error.problems?.map((p) => p.path)).toContain(field);
      expect(await vow.store.db.selectFrom('subjects').selectAll().execute()).toHaveLength(status === 201 ? 1 : 0);
    }),
  );

  it('refuses malformed requests with 4xx JSON errors and writes nothing', () =>
    withVow(async (server, vow) => {
      const cases = [
        { payload: '{"email": "jane@', headers: { 'content-type': 'application/json' }, status: 400 },
        { payload: Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), headers: { 'content-type': 'application/json' }, status: 400 },
        { payload: 'email=jane', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
        { payload: JSON.stringify({ ...jane, name: 'x'.repeat(200_000) }), headers: { 'content-type': 'application/json' }, status: 413 },
        { payload: JSON.stringify({ ...jane, name: 'x'.repeat(10_001) }), headers: { 'content-type': 'application/json' }, status: 400 },
      ];
      for (const { payload, headers, status } of cases) {
        const response = await server.inject({ method: 'POST', url: '/v1/accounts', payload, headers });
        expect(response.statusCode, response.body.slice(0, 200)).toBe(status);
        expect(response.json<ErrorJson>().error.code).toBeTruthy();
        expect(response.body).not.toContain('jane');
      }
      const badId = await server.inject({ method: 'GET', url: "/v1/subjects/1' OR '1'='1/data?purpose=communicate", headers: { authorization: `Bearer ${await keyFor(vow, 'admin')}` } });
      expect(badId.statusCode).toBe(400);
      expect(badId.json<ErrorJson>().error.problems?.[0]?.path).toBe('params.id');
      const unknown = await server.inject({ method: 'GET', url: '/v1/subjects/sub_AAAAAAAAAAAAAAAAAAAAAA/data?purpose=communicate', headers: { authorization: `Bearer ${await keyFor(vow, 'admin')}` } });
      expect(unknown.statusCode).toBe(404);
      expect(await vow.store.db.selectFrom('subjects').selectAll().execute()).toEqual([]);
    }));

  it('rate-limits the public sign-up and contact endpoints', () =>
    withVow(async (server) => {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 22; attempt += 1) {
        const response = await server.inject({ method: 'POST', url: '/v1/communications', payload: { email: `writer${attempt}@example.com`, message: 'hi' }, remoteAddress: '198.51.100.9' });
        statuses.push(response.statusCode);
      }
      expect(statuses.slice(0, 20).every((status) => status === 202)).toBe(true);
      expect(statuses.slice(20)).toEqual([429, 429]);
      const other = await server.inject({ method: 'POST', url: '/v1/communications', payload: { email: 'else@example.com', message: 'hi' }, remoteAddress: '198.51.100.10' });
      expect(other.statusCode).toBe(202);
    }));
});
