import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { expect, it } from 'vitest';
import { createVow } from '../src/app.js';
import { runCli } from '../src/cli/run-cli.js';
import { reportChild } from '../src/children/report-child.js';
import { publishPolicy } from '../src/policy/publish-policy.js';
import { describeEachDatabase, type TestDatabase } from './support/databases.js';

async function vow(database: TestDatabase, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, database.config(), { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describeEachDatabase('vow export, vow reports and vow policy notify', (database) => {
  it('exports a subject to a private zip, works reports about children, and sends policy notices from the command line', async () => {
    const server = await createVow(database().config());
    let subjectId = '';
    let reportId = '';
    try {
      const signUp = await server.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'eve@example.com', name: 'Eve', birthDate: '1991-02-03' } });
      subjectId = signUp.json<{ id: string }>().id;
      reportId = (await reportChild(server.vault, { childEmail: 'eve@example.com', details: 'She is 12.' })).reportId;
      await new Promise((resolve) => setTimeout(resolve, 5));
      await publishPolicy(server.store.db, { declaration: { ...server.vault.declaration, minimumAge: 14 }, material: true, actor: 'cli' });
    } finally {
      await server.close();
    }

    const file = join(database().dataDir, 'eve.zip');
    // A file already there, readable by all, is made owner-only before the export goes in.
    writeFileSync(file, '', { mode: 0o644 });
    const exported = await vow(database(), ['export', subjectId, file]);
    expect(exported.code, exported.err).toBe(0);
    expect(exported.out).toContain('summary.md');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const account = strFromU8(unzipSync(new Uint8Array(readFileSync(file)))['account.json'] ?? new Uint8Array());
    expect(account).toContain('eve@example.com');
    expect((await vow(database(), ['export', `sub_${'Z'.repeat(22)}`, file])).code).not.toBe(0);

    const notify = await vow(database(), ['policy', 'notify']);
    expect(notify).toMatchObject({ code: 0, out: 'version 2: 1 account holder(s) notified' });
    expect((await vow(database(), ['policy', 'notify'])).out).toBe('version 2: 0 account holder(s) notified');

    const listed = await vow(database(), ['reports', 'list', '--status', 'open']);
    expect(listed.out).toContain(reportId);
    expect(listed.out).toContain(subjectId);
    expect(listed.out).not.toContain('She is 12');
    const noReason = await vow(database(), ['reports', 'dismiss', reportId]);
    expect(noReason.code).not.toBe(0);
    const confirmed = await vow(database(), ['reports', 'confirm', reportId]);
    expect(confirmed).toMatchObject({ code: 0, out: `${reportId} confirmed: erased` });
    expect((await vow(database(), ['reports', 'list', '--status', 'confirmed'])).out).toContain(reportId);
  });
});
