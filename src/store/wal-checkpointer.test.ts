import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startWalCheckpointer } from './wal-checkpointer.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('checkpoints of the SQLite log', () => {
  it('are taken over by a worker once the log grows, and the rows still reach the database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vow-wal-'));
    const file = join(dir, 'test.db');
    const database = new SQLite(file);
    try {
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
      database.exec('create table rows (id integer primary key, body text not null)');
      const checkpointer = startWalCheckpointer(database, file, { startBytes: 256 * 1024, intervalMs: 20 });
      expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      const insert = database.prepare('insert into rows (body) values (?)');
      const body = 'x'.repeat(1000);
      for (let i = 0; i < 500; i += 1) insert.run(body);
      for (let i = 0; i < 50 && database.pragma('wal_autocheckpoint', { simple: true }) === 1000; i += 1) await wait(20);
      // The committing connection now leaves checkpoints to the worker, up to 10,000 pages of log.
      expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
      const before = statSync(file).size;
      for (let i = 0; i < 2000; i += 1) insert.run(body);
      for (let i = 0; i < 50 && statSync(file).size === before; i += 1) await wait(20);
      // The rows reached the database file without this connection checkpointing.
      expect(statSync(file).size).toBeGreaterThan(before);
      await checkpointer.close();
      expect(database.prepare('select count(*) as n from rows').get()).toEqual({ n: 2500 });
    } finally {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never starts a worker for a store that writes little, and closes at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vow-wal-'));
    const file = join(dir, 'test.db');
    const database = new SQLite(file);
    try {
      database.pragma('journal_mode = WAL');
      const checkpointer = startWalCheckpointer(database, file, { intervalMs: 10 });
      database.exec('create table rows (id integer primary key)');
      await wait(50);
      expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      await checkpointer.close();
    } finally {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
