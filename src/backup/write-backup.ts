/**
 * `vow backup FILE`: a portable logical dump of every table, from one consistent
 * snapshot, restorable into SQLite or PostgreSQL. Personal data is in it only as
 * ciphertext, with the data keys wrapped by the master key, which is not in it: a
 * backup without the master key reveals no one, and an erased subject's key is gone
 * from every later backup. Written owner-only (0600).
 */
import { once } from 'node:events';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Store } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import { openOwnerOnly } from './backup-file.js';
import { appliedMigrations, backupTables, readPage } from './backup.repository.js';
import { BACKUP_FORMAT, BACKUP_VERSION, type Header, type Line } from './backup-format.js';

const PAGE = 1000;

export interface BackupResult {
  file: string;
  createdAt: string;
  counts: Record<string, number>;
}

export async function writeBackup(store: Store, options: { file: string; actor: string; now?: Date }): Promise<BackupResult> {
  const now = options.now ?? new Date();
  const createdAt = now.toISOString();
  const handle = await openOwnerOnly(options.file);
  const out = handle.createWriteStream();
  const write = async (line: Header | Line) => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  };
  const counts: Record<string, number> = {};
  try {
    // Repeatable read: every table from the same moment, while writes go on (SQLite's read transaction is a snapshot already).
    await store.db
      .transaction()
      .setIsolationLevel(store.dialect === 'postgres' ? 'repeatable read' : 'serializable')
      .execute(async (trx) => {
        await write({ format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt, dialect: store.dialect, migrations: await appliedMigrations(trx) });
        for (const table of await backupTables(trx, store.dialect)) {
          await write({ table: table.name, columns: table.columns });
          counts[table.name] = await writeRows(trx, table, write);
        }
      });
    await write({ end: true, counts });
  } finally {
    out.end();
    await once(out, 'close');
  }
  await store.db.transaction().execute((trx) =>
    appendAudit(trx, { actor: options.actor, action: 'backup.written', target: `backup:${createdAt}`, data: { tables: Object.keys(counts).length, rows: sum(counts) } }, now),
  );
  return { file: options.file, createdAt, counts };
}

async function writeRows(
  trx: Kysely<Database>,
  table: { name: string; columns: string[] },
  write: (line: Line) => Promise<void>,
): Promise<number> {
  let written = 0;
  for (;;) {
    const page = await readPage(trx, table, written, PAGE);
    for (const row of page) await write({ row: table.columns.map((column) => row[column] ?? null) });
    written += page.length;
    if (page.length < PAGE) return written;
  }
}

export const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((total, count) => total + count, 0);
