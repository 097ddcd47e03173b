import { expect, it } from 'vitest';
import { authenticate } from '../src/auth/api-key.js';
import { runCli } from '../src/cli/run-cli.js';
import { openStore } from '../src/store/open-store.js';
import { describeEachDatabase, ensureStore, type TestDatabase } from './support/databases.js';

async function vow(database: TestDatabase, ...argv: string[]) {
  await ensureStore(database);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, database.config(), { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function actorOf(database: TestDatabase, secret: string) {
  const store = await openStore(database.config());
  try {
    return await authenticate(store.db, secret);
  } finally {
    await store.close();
  }
}

describeEachDatabase('the vow keys commands', (database) => {
  it('issues a key for a role and purposes, printing the secret once, then lists and revokes it', async () => {
    const issued = await vow(database(), 'keys', 'issue', '--role', 'support', '--purpose', 'communicate', '--purpose', 'provide-services', '--label', 'help desk');
    expect(issued.code).toBe(0);
    expect(issued.out).toMatch(/^vow_key_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(issued.err).toMatch(/^issued API key key_[0-9a-f]{16} for role support \(purposes: communicate, provide-services\)$/m);
    expect(issued.err).toContain('it will not be shown again');
    const id = /^vow_(key_[0-9a-f]{16})_/.exec(issued.out)?.[1] ?? '';
    expect(await actorOf(database(), issued.out)).toEqual({ keyId: id, role: 'support', purposes: ['communicate', 'provide-services'] });

    const admin = await vow(database(), 'keys', 'issue', '--role', 'admin');
    expect(admin).toMatchObject({ code: 0, err: expect.stringContaining('(purposes: none)') as unknown });

    const listed = await vow(database(), 'keys', 'list');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(new RegExp(`^${id}  support  purposes=communicate,provide-services  active since \\S+  "help desk"$`, 'm'));
    expect(listed.out).toMatch(/^key_[0-9a-f]{16} {2}admin {2}purposes=- {2}active since \S+$/m);
    expect(listed.out).not.toContain('vow_');

    expect(await vow(database(), 'keys', 'revoke', id)).toEqual({ code: 0, out: `revoked ${id}`, err: '' });
    expect(await actorOf(database(), issued.out)).toBeUndefined();
    expect((await vow(database(), 'keys', 'list')).out).toMatch(new RegExp(`^${id}  support  purposes=communicate,provide-services  revoked \\S+`, 'm'));
    expect(await vow(database(), 'keys', 'revoke', id)).toMatchObject({ code: 1, err: `API key ${id} is already revoked` });
    expect(await vow(database(), 'keys', 'revoke', 'key_0000000000000000')).toMatchObject({ code: 1, err: 'no API key key_0000000000000000' });

    expect(await vow(database(), 'audit', 'verify')).toMatchObject({ code: 0, out: expect.stringMatching(/^OK 3 records/) as unknown });
  });

  it('lists nothing before any key is issued', async () => {
    expect(await vow(database(), 'keys', 'list')).toEqual({ code: 0, out: 'no API keys', err: '' });
  });

  it('refuses an unknown role (usage, exit 2) and an undeclared purpose (exit 1, naming it), issuing nothing', async () => {
    const role = await vow(database(), 'keys', 'issue', '--role', 'janitor');
    expect(role.code).toBe(2);
    expect(role.err).toMatch(/--role.*janitor.*admin, privacy-officer, support, auditor/s);
    expect((await vow(database(), 'keys', 'issue')).code).toBe(2);

    const purpose = await vow(database(), 'keys', 'issue', '--role', 'support', '--purpose', 'communicate', '--purpose', 'telepathy');
    expect(purpose).toEqual({ code: 1, out: '', err: 'unknown purpose "telepathy"' });
    expect(await vow(database(), 'keys', 'list')).toMatchObject({ out: 'no API keys' });
  });
});
