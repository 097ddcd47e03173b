import { expect, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.js';
import { describeEachDatabase, ensureStore, type TestDatabase } from './support/databases.js';

async function vow(database: TestDatabase, ...argv: string[]) {
  await ensureStore(database);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, database.config(), { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describeEachDatabase('vow request and vow outbox', (database) => {
  it('files a request, shows the code in the outbox, approves, answers and lists what is due', async () => {
    const filed = await vow(database(), 'request', 'file', '--kind', 'question', '--email', 'cli@example.com', '--details', 'What do you keep?');
    expect(filed.code, filed.err).toBe(0);
    const id = /^(req_[\w-]{22}) question unverified/.exec(filed.out)?.[1] ?? '';
    expect(id).not.toBe('');

    const outbox = await vow(database(), 'outbox');
    expect(outbox.out).toContain('To: cli@example.com');
    expect(outbox.out).toMatch(/enter this code: \d{6}/);

    const due = await vow(database(), 'request', 'list', '--due');
    expect(due.out).toBe('no requests near or past their deadline');
    expect((await vow(database(), 'request', 'list')).out).toContain(`${id}  question    unverified  gdpr`);

    const early = await vow(database(), 'request', 'complete', id, '--answer', 'Nothing much.');
    expect(early.code).toBe(1);
    expect(early.err).toContain('not verified');
    expect((await vow(database(), 'request', 'approve', id, '--verification', 'replied from the address on file')).out).toBe(`${id} open`);
    const done = await vow(database(), 'request', 'complete', id, '--answer', 'Nothing much.');
    expect(done.out).toBe(`${id} completed: answered`);
    const shown = await vow(database(), 'request', 'show', id);
    expect(shown.out).toContain('e-mail: cli@example.com');
    expect(shown.out).toContain('"replied from the address on file"');
    expect((await vow(database(), 'outbox', '--status', 'pending')).out).toContain('Nothing much.');

    const denied = await vow(database(), 'request', 'deny', id, '--reason', 'already done');
    expect(denied.code).toBe(1);
    expect(denied.err).toContain('already completed');
    expect((await vow(database(), 'request', 'file', '--kind', 'nonsense', '--email', 'x@example.com')).code).toBe(2);
  });
});
