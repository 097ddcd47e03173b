/**
 * Staff sign in to the console with an e-mail and a password (Argon2id): the session's
 * token lives only in an HttpOnly, SameSite=Strict cookie, every change needs the CSRF
 * token the sign-in gave, sessions can be signed out and revoked, failures are limited
 * and every step is audited. The browser never holds an API key.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { totpCodeAt } from '../src/auth/second-factor.js';
import { createStaffAccount } from '../src/auth/staff-sessions.js';
import { runCli } from '../src/cli/run-cli.js';
import { describeEachDatabase, ensureStore } from './support/databases.js';

const EMAIL = 'officer@airobotics.example';
const PASSWORD = 'a long and unguessable passphrase';

describeEachDatabase('staff sessions', (database) => {
  const withVow = async (test: (vow: Vow) => Promise<void>) => {
    const vow = await createVow(database().config());
    try {
      await createStaffAccount(vow.vault, { email: EMAIL, password: PASSWORD, role: 'privacy-officer', actor: 'test' });
      await test(vow);
    } finally {
      await vow.close();
    }
  };
  const signIn = (vow: Vow, password = PASSWORD, remoteAddress = '198.51.100.7') =>
    vow.server.inject({ method: 'POST', url: '/v1/session', payload: { email: EMAIL.toUpperCase(), password }, remoteAddress });
  const cookieOf = (response: { headers: Record<string, unknown> }) => String(response.headers['set-cookie']).split(';')[0] ?? '';

  it('signs in with an HttpOnly, SameSite=Strict cookie and a CSRF token, and the session opens what the role may', () =>
    withVow(async (vow) => {
      const signed = await signIn(vow);
      expect(signed.statusCode, signed.body).toBe(201);
      const setCookie = String(signed.headers['set-cookie']);
      expect(setCookie).toMatch(/^vow_session=[\w-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
      const { csrfToken, account } = signed.json<{ csrfToken: string; account: { email: string; role: string } }>();
      expect(account).toMatchObject({ email: EMAIL, role: 'privacy-officer' });
      // The token is not in the body: no script ever reads it.
      expect(signed.body).not.toContain(cookieOf(signed).slice('vow_session='.length));
      const cookie = cookieOf(signed);
      expect((await vow.server.inject({ method: 'GET', url: '/v1/requests', headers: { cookie } })).statusCode).toBe(200);
      expect((await vow.server.inject({ method: 'GET', url: '/v1/requests' })).statusCode).toBe(401);
      // A change without the CSRF token is refused, with it done, and audited as the person.
      const payload = { kind: 'question', email: 'someone@example.com', verified: true, verification: 'phone', details: 'What do you keep?' };
      expect((await vow.server.inject({ method: 'POST', url: '/v1/requests', headers: { cookie }, payload })).statusCode).toBe(403);
      const filed = await vow.server.inject({ method: 'POST', url: '/v1/requests', headers: { cookie, 'x-vow-csrf': csrfToken }, payload });
      expect(filed.statusCode, filed.body).toBe(202);
      const actors = await vow.store.db.selectFrom('audit_log').select(['actor', 'action']).where('action', 'in', ['staff.signed-in', 'request.received']).orderBy('seq').execute();
      expect(actors.map((row) => row.actor.replace(/stf_[\w-]+/, 'stf_'))).toEqual(['staff:stf_', 'staff:stf_']);
    }));

  it('refuses a wrong password and an unknown address alike, audits the failure without the address, and limits failures per address', () =>
    withVow(async (vow) => {
      const wrong = await signIn(vow, 'not the passphrase at all');
      const unknown = await vow.server.inject({ method: 'POST', url: '/v1/session', payload: { email: 'nobody@airobotics.example', password: PASSWORD } });
      expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
      const hostile = await vow.server.inject({ method: 'POST', url: '/v1/session', payload: { email: 'a\u0000@b.example', password: '\udfff' } });
      expect(hostile.statusCode).toBe(400);
      expect(wrong.json()).toEqual(unknown.json());
      const failures = await vow.store.db.selectFrom('audit_log').select(['action', 'target', 'data']).where('action', '=', 'staff.sign-in-failed').execute();
      expect(failures).toHaveLength(2);
      expect(JSON.stringify(failures)).not.toContain('nobody@');
      for (let attempt = 0; attempt < 20; attempt += 1) await signIn(vow, 'wrong wrong wrong', '203.0.113.9');
      expect((await signIn(vow, PASSWORD, '203.0.113.9')).statusCode).toBe(429);
      expect((await signIn(vow, PASSWORD, '198.51.100.8')).statusCode).toBe(201);
    }));

  it('lists the open sessions, revokes another, signs out, and an ended session opens nothing', () =>
    withVow(async (vow) => {
      const laptop = await signIn(vow);
      const phone = await signIn(vow);
      const cookie = cookieOf(laptop);
      const csrf = laptop.json<{ csrfToken: string }>().csrfToken;
      const mine = (await vow.server.inject({ method: 'GET', url: '/v1/session', headers: { cookie } })).json<{ sessions: { id: string }[] }>();
      expect(mine.sessions).toHaveLength(2);
      const phoneId = phone.json<{ sessionId: string }>().sessionId;
      expect((await vow.server.inject({ method: 'DELETE', url: `/v1/sessions/${phoneId}`, headers: { cookie, 'x-vow-csrf': csrf } })).statusCode).toBe(204);
      expect((await vow.server.inject({ method: 'GET', url: '/v1/requests', headers: { cookie: cookieOf(phone) } })).statusCode).toBe(401);
      const out = await vow.server.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie, 'x-vow-csrf': csrf } });
      expect(out.statusCode).toBe(204);
      expect(String(out.headers['set-cookie'])).toMatch(/^vow_session=; Max-Age=0/);
      expect((await vow.server.inject({ method: 'GET', url: '/v1/session', headers: { cookie } })).statusCode).toBe(401);
      const actions = await vow.store.db.selectFrom('audit_log').select('action').where('action', 'like', 'staff.%').orderBy('seq').execute();
      expect(actions.map((row) => row.action)).toEqual(['staff.created', 'staff.signed-in', 'staff.signed-in', 'staff.session-revoked', 'staff.signed-out']);
    }));

  it('marks the cookie Secure wherever Vow is reached by name, even behind a TLS proxy it does not trust, and plain only on this machine', () =>
    withVow(async (vow) => {
      const proxied = await vow.server.inject({ method: 'POST', url: '/v1/session', headers: { host: 'privacy.airobotics.example' }, payload: { email: EMAIL, password: PASSWORD } });
      expect(String(proxied.headers['set-cookie'])).toContain('; Secure');
      expect(String((await signIn(vow)).headers['set-cookie'])).not.toContain('Secure');
    }));

  it('answers an ended session by clearing its cookie, without counting it against the address', () =>
    withVow(async (vow) => {
      const signed = await signIn(vow, PASSWORD, '192.0.2.44');
      const cookie = cookieOf(signed);
      const csrf = signed.json<{ csrfToken: string }>().csrfToken;
      await vow.server.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie, 'x-vow-csrf': csrf }, remoteAddress: '192.0.2.44' });
      for (let poll = 0; poll < 25; poll += 1) {
        const stale = await vow.server.inject({ method: 'GET', url: '/v1/requests', headers: { cookie }, remoteAddress: '192.0.2.44' });
        expect(stale.statusCode).toBe(401);
        expect(String(stale.headers['set-cookie'])).toMatch(/^vow_session=; Max-Age=0/);
      }
      // The office behind the same address still works, API keys and all.
      const key = (await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret;
      expect((await vow.server.inject({ method: 'GET', url: '/v1/requests', headers: { authorization: `Bearer ${key}` }, remoteAddress: '192.0.2.44' })).statusCode).toBe(200);
    }));

  it('adds a TOTP second factor, then asks for its code at every sign-in, taking each code once', () =>
    withVow(async (vow) => {
      const signed = await signIn(vow);
      const cookie = cookieOf(signed);
      const csrf = signed.json<{ csrfToken: string }>().csrfToken;
      const change = { cookie, 'x-vow-csrf': csrf };
      expect((await vow.server.inject({ method: 'POST', url: '/v1/session/totp', headers: { cookie }, payload: { password: PASSWORD } })).statusCode).toBe(403);
      // The password again: a session left open is not enough to tie the account to another phone.
      const notMine = await vow.server.inject({ method: 'POST', url: '/v1/session/totp', headers: change, payload: { password: 'somebody else entirely' } });
      expect(notMine.statusCode).toBe(403);
      const started = await vow.server.inject({ method: 'POST', url: '/v1/session/totp', headers: change, payload: { password: PASSWORD } });
      expect(started.statusCode, started.body).toBe(200);
      const { secret, uri } = started.json<{ secret: string; uri: string }>();
      expect(uri).toMatch(/^otpauth:\/\/totp\/Vow:officer%40airobotics\.example\?issuer=Vow&secret=[A-Z2-7]+&algorithm=SHA1&digits=6&period=30$/);
      // Not asked for until confirmed: a half-made second factor locks nobody out.
      const other = await signIn(vow);
      expect(other.statusCode).toBe(201);
      const now = new Date();
      expect((await vow.server.inject({ method: 'POST', url: '/v1/session/totp/confirm', headers: change, payload: { code: totpCodeAt(secret, new Date(now.getTime() - 10 * 60_000)) } })).statusCode).toBe(400);
      expect((await vow.server.inject({ method: 'POST', url: '/v1/session/totp/confirm', headers: change, payload: { code: totpCodeAt(secret, now) } })).statusCode).toBe(204);
      expect((await vow.server.inject({ method: 'GET', url: '/v1/session', headers: { cookie } })).json<{ secondFactor: boolean }>().secondFactor).toBe(true);
      // The session opened with the password alone has ended; the one that proved the code stays.
      expect((await vow.server.inject({ method: 'GET', url: '/v1/session', headers: { cookie: cookieOf(other) } })).statusCode).toBe(401);

      const asked = await signIn(vow);
      expect(asked.statusCode).toBe(401);
      expect(asked.json<{ error: { code: string } }>().error.code).toBe('second_factor_required');
      const withCode = (code: string) => vow.server.inject({ method: 'POST', url: '/v1/session', payload: { email: EMAIL, password: PASSWORD, code }, remoteAddress: '198.51.100.9' });
      expect((await withCode('000000')).json<{ error: { message: string } }>().error.message).toBe('wrong or already used code');
      const next = totpCodeAt(secret, new Date(now.getTime() + 30_000));
      expect((await withCode(next)).statusCode).toBe(201);
      // The same code again, within its 30 seconds: refused, a replay.
      expect((await withCode(next)).statusCode).toBe(401);
      // A wrong password with a right code is refused as any wrong password is.
      expect((await vow.server.inject({ method: 'POST', url: '/v1/session', payload: { email: EMAIL, password: 'not it at all', code: totpCodeAt(secret, new Date(now.getTime() + 60_000)) } })).json<{ error: { code: string } }>().error.code).toBe('unauthorized');
      const audit = await vow.store.db.selectFrom('audit_log').select(['action', 'data']).where('action', 'in', ['staff.second-factor-added', 'staff.sign-in-failed']).orderBy('seq').execute();
      expect(audit.map((row) => `${row.action} ${row.data}`)).toEqual(['staff.second-factor-added {"kind":"totp"}', 'staff.sign-in-failed {"factor":"totp"}', 'staff.sign-in-failed {"factor":"totp"}', 'staff.sign-in-failed {}']);
      if (database().url === undefined) {
        for (const name of readdirSync(database().dataDir)) expect(readFileSync(join(database().dataDir, name)).includes(Buffer.from(secret)), name).toBe(false);
      }

      // A lost phone: whoever runs the server takes the factor away, and every session ends with it.
      const lines: string[] = [];
      const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
      expect(await runCli(['staff', 'remove-second-factor', '--email', EMAIL], database().config(), io)).toBe(0);
      expect((await vow.server.inject({ method: 'GET', url: '/v1/session', headers: { cookie } })).statusCode).toBe(401);
      expect((await signIn(vow)).statusCode).toBe(201);
      expect(await runCli(['staff', 'remove-second-factor', '--email', EMAIL], database().config(), io)).toBe(1);
      expect(lines.at(-1)).toContain('this account has no second factor');
    }));

  it('locks codes out for the account after five wrong ones, whatever addresses they come from, and a right code resets the count', () =>
    withVow(async (vow) => {
      const signed = await signIn(vow);
      const change = { cookie: cookieOf(signed), 'x-vow-csrf': signed.json<{ csrfToken: string }>().csrfToken };
      const { secret } = (await vow.server.inject({ method: 'POST', url: '/v1/session/totp', headers: change, payload: { password: PASSWORD } })).json<{ secret: string }>();
      const now = Date.now();
      expect((await vow.server.inject({ method: 'POST', url: '/v1/session/totp/confirm', headers: change, payload: { code: totpCodeAt(secret, new Date(now)) } })).statusCode).toBe(204);
      const attempt = (code: string, address: string) => vow.server.inject({ method: 'POST', url: '/v1/session', payload: { email: EMAIL, password: PASSWORD, code }, remoteAddress: address });
      const wrong = (step: number) => String((Number(totpCodeAt(secret, new Date(now + step * 30_000))) + 1) % 1_000_000).padStart(6, '0');
      for (let i = 0; i < 4; i += 1) expect((await attempt(wrong(i + 1), `203.0.113.${i + 1}`)).statusCode).toBe(401);
      // A right code before the fifth wrong one resets the count.
      expect((await attempt(totpCodeAt(secret, new Date(now + 30_000)), '203.0.113.20')).statusCode).toBe(201);
      for (let i = 0; i < 5; i += 1) expect((await attempt('000000', `203.0.113.${i + 30}`)).statusCode).toBe(401);
      const locked = await attempt(totpCodeAt(secret, new Date(now + 60_000)), '203.0.113.99');
      expect(locked.statusCode).toBe(429);
      expect(locked.json<{ error: { message: string } }>().error.message).toBe('too many wrong codes for this account: try again in a few minutes');
      // A wrong password is still just a wrong password: the lockout tells nothing to someone without it.
      expect((await vow.server.inject({ method: 'POST', url: '/v1/session', payload: { email: EMAIL, password: 'not it at all', code: '123456' }, remoteAddress: '203.0.113.98' })).statusCode).toBe(401);
      const audit = await vow.store.db.selectFrom('audit_log').select('data').where('action', '=', 'staff.sign-in-failed').execute();
      expect(audit.filter((row) => row.data.includes('"locked":true'))).toHaveLength(1);
    }));

  it('keeps no password, address or token in the clear in the database files', () =>
    withVow(async (vow) => {
      const signed = await signIn(vow);
      if (database().url !== undefined) return;
      const token = cookieOf(signed).slice('vow_session='.length);
      for (const name of readdirSync(database().dataDir)) {
        const bytes = readFileSync(join(database().dataDir, name));
        for (const secret of [PASSWORD, EMAIL, token]) expect(bytes.includes(Buffer.from(secret)), `${name}: ${secret.slice(0, 8)}`).toBe(false);
      }
    }));
});

describeEachDatabase('vow staff create', (database) => {
  it('creates the first admin from a password file, refusing a short password and a second account for one address', async () => {
    await ensureStore(database());
    const folder = mkdtempSync(join(tmpdir(), 'vow-staff-'));
    try {
      const file = join(folder, 'password');
      const lines: string[] = [];
      const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
      writeFileSync(file, 'short\n');
      expect(await runCli(['staff', 'create', '--email', 'admin@airobotics.example', '--role', 'admin', '--password-file', file], database().config(), io)).toBe(1);
      expect(lines.join('\n')).toContain('at least 12 characters');
      writeFileSync(file, `${PASSWORD}\n`);
      expect(await runCli(['staff', 'create', '--email', 'admin@airobotics.example', '--role', 'admin', '--password-file', file], database().config(), io)).toBe(0);
      expect(lines.at(-1)).toMatch(/^stf_\S+ created: admin@airobotics\.example \(admin\)/);
      expect(await runCli(['staff', 'create', '--email', 'Admin@AIRobotics.example', '--role', 'auditor', '--password-file', file], database().config(), io)).toBe(1);
      expect(lines.at(-1)).toContain('exists');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
