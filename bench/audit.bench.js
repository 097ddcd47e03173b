// Audit appends through Vow (typed builder, one transaction per record, the head-row lock,
// SHA-256 over canonical JSON) against the raw cost of the same hashing plus a prepared
// better-sqlite3 insert per transaction on the same kind of file.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { appendAudit } from '../dist/audit/append-audit.js';
import { verifyAudit } from '../dist/audit/verify-audit.js';
import { openStore } from '../dist/store/open-store.js';

const N = 5000;

export async function auditBench() {
  const dir = mkdtempSync(join(tmpdir(), 'vow-bench-'));
  try {
    const store = await openStore({ dataDir: join(dir, 'vow'), databaseUrl: undefined });
    let started = performance.now();
    for (let i = 0; i < N; i += 1) {
      await store.db.transaction().execute((trx) => appendAudit(trx, { actor: 'bench', action: 'thing.done', target: `thing:${i}`, data: { i } }));
    }
    const vowAppendMs = performance.now() - started;
    started = performance.now();
    const verdict = await verifyAudit(store.db);
    const verifyMs = performance.now() - started;
    if (!verdict.ok || verdict.count !== N) throw new Error('audit chain did not verify');
    await store.close();

    const raw = new SQLite(join(dir, 'raw.db'));
    raw.pragma('journal_mode = WAL');
    raw.exec('create table log (seq integer primary key, at text, actor text, action text, target text, data text, prev_hash text, hash text unique)');
    const insert = raw.prepare('insert into log values (?, ?, ?, ?, ?, ?, ?, ?)');
    const once = raw.transaction((row) => insert.run(row));
    let prev = '0'.repeat(64);
    started = performance.now();
    for (let i = 1; i <= N; i += 1) {
      const at = new Date().toISOString();
      const data = JSON.stringify({ i });
      const hash = createHash('sha256').update(JSON.stringify({ action: 'thing.done', actor: 'bench', at, data, prevHash: prev, seq: i, target: `thing:${i}` })).digest('hex');
      once([i, at, 'bench', 'thing.done', `thing:${i}`, data, prev, hash]);
      prev = hash;
    }
    const rawAppendMs = performance.now() - started;
    started = performance.now();
    const rows = raw.prepare('select * from log order by seq').all();
    const rawReadMs = performance.now() - started;
    raw.close();
    if (rows.length !== N) throw new Error('baseline lost rows');

    const perSecond = (ms) => Math.round((N / ms) * 1000);
    return {
      name: `audit log, ${N} records on SQLite`,
      lines: [
        `append: ${perSecond(vowAppendMs)} records/s; baseline (raw hash + prepared insert) ${perSecond(rawAppendMs)}/s; ratio ${(rawAppendMs / vowAppendMs).toFixed(2)}`,
        `verify: ${perSecond(verifyMs)} records/s; baseline (raw select of the same rows, no hashing) ${perSecond(rawReadMs)}/s; ratio ${(rawReadMs / verifyMs).toFixed(2)}`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
