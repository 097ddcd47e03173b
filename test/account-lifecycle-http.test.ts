/**
 * Accounts have a lifecycle (section 1, "retention"): closing one is recorded, and every
 * retention period counted from account closure starts then and ends in a purge.
 */
import { expect, it } from 'vitest';
import { createVow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { runCli } from '../src/cli/run-cli.js';
import { runRetention } from '../src/retention/run-retention.js';
import { describeEachDatabase } from './support/databases.js';

const DAY_MS = 86_400_000;

describeEachDatabase('closing an account', (database) => {
  it('records the closure once and starts the account-closure clock, which retention then ends', async () => {
    const vow = await createVow(database().config());
    try {
      const { server } = vow;
      const key = async (role: 'admin' | 'support' | 'auditor') => `Bearer ${(await issueApiKey(vow.store.db, { role, purposes: [], actor: 'test' })).secret}`;
      const admin = await key('admin');
      const signUp = await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'cleo.close@example.com', name: 'Cleo Close', birthDate: '1985-03-03' } });
      const { id } = signUp.json<{ id: string }>();

      expect((await server.inject({ method: 'POST', url: `/v1/accounts/${id}/close` })).statusCode).toBe(401);
      expect((await server.inject({ method: 'POST', url: `/v1/accounts/${id}/close`, headers: { authorization: await key('auditor') } })).statusCode).toBe(403);
      expect((await server.inject({ method: 'POST', url: '/v1/accounts/sub_AAAAAAAAAAAAAAAAAAAAAA/close', headers: { authorization: admin } })).statusCode).toBe(404);
      expect((await server.inject({ method: 'DELETE', url: '/v1/accounts/x%00y', headers: { authorization: admin } })).statusCode).toBe(400);

      const closed = await server.inject({ method: 'POST', url: `/v1/accounts/${id}/close`, headers: { authorization: await key('support') } });
      expect(closed.statusCode, closed.body).toBe(200);
      const { closedAt } = closed.json<{ closedAt: string }>();
      expect(closed.json()).toMatchObject({ id, closedNow: true });
      const again = await server.inject({ method: 'DELETE', url: `/v1/accounts/${id}`, headers: { authorization: admin } });
      expect(again.json()).toEqual({ id, closedAt, closedNow: false });

      const read = () => server.inject({ method: 'GET', url: `/v1/accounts/${id}?purpose=provide-services`, headers: { authorization: admin } });
      const retentionAt = (ms: number) => runRetention(vow.store.db, { declaration: vow.vault.declaration, now: new Date(Date.parse(closedAt) + ms), actor: 'test' });
      // The reference declaration keeps account information one year after the account is closed.
      expect((await retentionAt(360 * DAY_MS)).categories.account).toBe(0);
      expect((await read()).json<{ categories: unknown[] }>().categories).toHaveLength(1);
      expect((await retentionAt(367 * DAY_MS)).categories.account).toBe(1);
      // Nothing of the account is left, so the subject itself goes with it.
      expect((await read()).statusCode).toBe(404);

      const audit = await vow.store.db.selectFrom('audit_log').select('action').where('target', '=', `subject:${id}`).where('action', '=', 'account.closed').execute();
      expect(audit).toHaveLength(1);
    } finally {
      await vow.close();
    }
  });

  it('closes an account from the command line', async () => {
    const vow = await createVow(database().config());
    const signUp = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'cli.close@example.com', name: 'Cli Close', birthDate: '1985-03-03' } });
    const { id } = signUp.json<{ id: string }>();
    await vow.close();
    const lines: string[] = [];
    const io = { out: (text: string) => lines.push(text), err: (text: string) => lines.push(text) };
    expect(await runCli(['accounts', 'close', id], database().config(), io)).toBe(0);
    expect(await runCli(['accounts', 'close', id], database().config(), io)).toBe(0);
    expect(await runCli(['accounts', 'close', 'sub_AAAAAAAAAAAAAAAAAAAAAA'], database().config(), io)).toBe(1);
    expect(lines[0]).toMatch(new RegExp(`^closed ${id} at \\d{4}-`));
    expect(lines[1]).toContain('was already closed');
    expect(lines[2]).toContain('no account');
  });
});
