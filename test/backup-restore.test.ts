import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { createVow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { verifyAudit } from '../src/audit/verify-audit.js';
import { runCli } from '../src/cli/run-cli.js';
import type { Io } from '../src/cli/io.js';
import { subjectTables } from '../src/erasure/subject-tables.js';
import { openStore } from '../src/store/open-store.js';
import { KEY_FILE } from '../src/vault/keyring.js';
import { createTestDatabase, describeEachDatabase } from './support/databases.js';

const person = { email: 'rosa.backup@example.com', name: 'Rosa Backupwoman', birthDate: '1988-02-03' };
const other = { email: 'otto.kept@example.com', name: 'Otto Kept', birthDate: '1979-05-06' };

function bufferIo(): Io & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (text) => lines.push(text), err: (text) => lines.push(`ERR ${text}`) };
}

describeEachDatabase('backup and restore', (database) => {
  it('answers a missing, unreadable or unwritable file with a message and exit code 1, changing nothing', async () => {
    const { dataDir } = database();
    const cases: [string[], string][] = [
      [['restore', join(dataDir, 'missing.jsonl')], 'cannot read'],
      [['restore', dataDir], 'is not a file'],
      [['backup', join(dataDir, 'no', 'such', 'folder.jsonl')], 'cannot write'],
    ];
    for (const [argv, message] of cases) {
      const io = bufferIo();
      expect(await runCli(argv, database().config(), io)).toBe(1);
      expect(io.lines.join('\n')).toContain(message);
    }
  });

  it('restores a backup made before an erasure without bringing the erased subject back, and audits the restore', async () => {
    const config = database().config();
    const file = join(database().dataDir, 'vow.backup.jsonl');
    const vow = await createVow(config);
    let erased = '';
    let kept = '';
    try {
      const admin = (await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret;
      erased = (await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: person })).json<{ id: string }>().id;
      kept = (await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: other })).json<{ id: string }>().id;

      const io = bufferIo();
      expect(await runCli(['backup', file], config, io), io.lines.join('\n')).toBe(0);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain(erased);
      for (const secret of [person.email, person.name, other.email]) expect(text).not.toContain(secret);

      const erase = await vow.server.inject({ method: 'POST', url: `/v1/subjects/${erased}/erase`, headers: { authorization: `Bearer ${admin}` }, payload: {} });
      expect(erase.statusCode, erase.body).toBe(200);
      expect(erase.json()).toMatchObject({ subjectId: erased, erased: true });
    } finally {
      await vow.close();
    }

    const io = bufferIo();
    expect(await runCli(['restore', file], config, io), io.lines.join('\n')).toBe(0);
    expect(io.lines.join('\n')).toContain('erasures applied again: 1');

    const store = await openStore(config);
    try {
      for (const entry of subjectTables.filter((table) => table.treatment === 'delete')) {
        const loose = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
        const rows = await loose.selectFrom(entry.table).selectAll().where(loose.dynamic.ref(entry.column), '=', erased).execute();
        expect(rows, `${entry.table}.${entry.column}`).toEqual([]);
      }
      expect(await store.db.selectFrom('subjects').select('id').where('id', '=', kept).execute()).toHaveLength(1);
      expect(await store.db.selectFrom('erasures').select('subject_id').execute()).toEqual([{ subject_id: erased }]);
      expect(await verifyAudit(store.db)).toMatchObject({ ok: true });
      const [last] = await store.db.selectFrom('audit_log').select(['action', 'data']).orderBy('seq', 'desc').limit(1).execute();
      expect(last?.action).toBe('backup.restored');
    } finally {
      await store.close();
    }
  });

  it('restores into the other kind of database, and refuses a truncated file', async () => {
    const config = database().config();
    const file = join(database().dataDir, 'vow.backup.jsonl');
    const vow = await createVow(config);
    try {
      await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: person });
    } finally {
      await vow.close();
    }
    expect(await runCli(['backup', file], config, bufferIo())).toBe(0);
    const target = await createTestDatabase(database().dialect === 'sqlite' ? 'postgres' : 'sqlite');
    try {
      const io = bufferIo();
      // The backup never holds the master key: the installation it is restored into brings the same one.
      const targetConfig = target.config({ VOW_MASTER_KEY_FILE: join(database().dataDir, KEY_FILE) });
      expect(await runCli(['restore', file], targetConfig, io), io.lines.join('\n')).toBe(0);
      const store = await openStore(targetConfig);
      try {
        expect(await store.db.selectFrom('vault_records').select('id').execute()).toHaveLength(1);
        expect(await verifyAudit(store.db)).toMatchObject({ ok: true });
      } finally {
        await store.close();
      }
      const truncated = join(database().dataDir, 'truncated.jsonl');
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      writeFileSync(truncated, `${lines.slice(0, -1).join('\n')}\n`);
      const refused = bufferIo();
      expect(await runCli(['restore', truncated], targetConfig, refused)).toBe(1);
      expect(refused.lines.join('\n')).toContain('truncated');
    } finally {
      await target.cleanup();
    }
  });
});
