// Loading a million events into a SQLite file made by Vow's migrations, for benchmarks that
// need that many rows: WAL, large cache, and the events table's secondary indexes dropped
// for the load and built once after it, from the very statements Vow's migrations wrote
// (faster than a million random inserts into them).
import SQLite from 'better-sqlite3';

/** Opens `file` for a bulk load; `finish()` rebuilds the indexes, checkpoints and closes it. */
export function openForBulkLoad(file) {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -262144');
  const indexes = db.prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'events' and sql is not null").all();
  for (const { name } of indexes) db.exec(`drop index ${name}`);
  return {
    db,
    finish({ analyze = false } = {}) {
      for (const { sql } of indexes) db.exec(sql);
      if (analyze) db.exec('analyze');
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}
