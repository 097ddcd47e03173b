/**
 * Opens Vow's store: SQLite in the data folder by default, PostgreSQL when a URL is
 * given. This is the only module that knows which driver sits behind the builder.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { auditHeadKey } from '../audit/audit-head-key.js';
import { VowError } from '../errors.js';
import { withAuditHeadKey } from '../audit/audit-head-key-plugin.js';
import { openKeyring, type KeySource } from '../vault/keyring.js';
import { migrations } from './migrations.js';
import type { Database } from './schema.js';
import { startWalCheckpointer } from './wal-checkpointer.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  /**
   * Where reads that may lag a few seconds go (statistics releases, records of processing,
   * the console's lists and reports): a streaming replica (DATABASE_READ_URL), or `db`.
   * Writes, and every read that decides a write, use `db`.
   */
  readonly reads: Kysely<Database>;
  readonly dialect: Dialect;
  /** Where the data lives, for messages: a file path, or the database URL without credentials. */
  readonly location: string;
  close(): Promise<void>;
}

export interface StoreOptions {
  dataDir: string;
  databaseUrl: string | undefined;
  /** A streaming replica of `databaseUrl` for lagging reads; never written, never migrated. */
  databaseReadUrl?: string | undefined;
  /** Where the master keys are (as the vault reads them): the audit head is sealed under a key derived from them. */
  masterKeys?: KeySource['masterKeys'];
  masterKeyFile?: KeySource['masterKeyFile'];
  /** False: refuse a store that does not exist yet, naming where it looked, rather than create it. */
  createStore?: boolean;
}

export const SQLITE_FILE = 'vow.db';

/**
 * The store's handle carries the audit head's key (see audit/audit-head-key-plugin.ts),
 * registered before migrating, since the migration that keys the head needs it.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.createStore === false && !options.databaseUrl) refuseMissingSqlite(options.dataDir);
  const keyring = openKeyring({ dataDir: options.dataDir, masterKeys: options.masterKeys, masterKeyFile: options.masterKeyFile });
  const primary = options.databaseUrl ? openPostgres(options.databaseUrl) : openSqlite(options.dataDir);
  const replica = options.databaseUrl && options.databaseReadUrl ? openPostgres(options.databaseReadUrl) : undefined;
  const db = withAuditHeadKey(primary.db, auditHeadKey(keyring));
  const store: Store = {
    ...primary,
    db,
    reads: replica?.db ?? db,
    close: async () => {
      await replica?.close();
      await primary.close();
    },
  };
  try {
    if (options.createStore === false && options.databaseUrl && !(await hasVowTables(store.db))) {
      throw new VowError('not_found', `the database at DATABASE_URL holds no Vow data: point DATABASE_URL at the database vow serve uses, or run vow serve once to create it`);
    }
    await migrate(store.db);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** Refuses a data folder without Vow's database, saying where it looked and how to point elsewhere. */
function refuseMissingSqlite(dataDir: string): void {
  const file = join(dataDir, SQLITE_FILE);
  if (existsSync(file)) return;
  throw new VowError(
    'not_found',
    `no Vow data here: ${resolve(file)} does not exist. Run the command where vow serve keeps its data, or point it there with VOW_DATA_DIR (DATABASE_URL for PostgreSQL); vow serve creates it on its first start`,
  );
}

async function hasVowTables(db: Kysely<Database>): Promise<boolean> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  return tables.some((table) => table.name === 'kysely_migration');
}

function openSqlite(dataDir: string): Omit<Store, 'reads'> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, SQLITE_FILE);
  const database = new SQLite(file);
  // Owner-only, like the key file: SQLite gives the WAL and shared-memory files the same mode.
  chmodSync(file, 0o600);
  database.pragma('journal_mode = WAL');
  // With WAL, NORMAL flushes to disk at checkpoints rather than at every commit: a commit
  // survives the process crashing (it is in the WAL file, in the OS's hands), and the
  // database stays consistent whatever happens; only a power loss or an OS crash can undo
  // the last transactions before a checkpoint. FULL would cost a disk flush per commit.
  database.pragma('synchronous = NORMAL');
  // After a burst of writes, the log file is cut back to this size when it starts over.
  database.pragma('journal_size_limit = 67108864');
  // Large sorts (a statistics release groups every event by subject and cell) may use a
  // helper thread: with two cores, the sort of a million rows takes about half as long.
  database.pragma('threads = 2');
  // Reads through a memory map rather than a system call per page: an access export reads
  // a subject's rows scattered through the whole file.
  database.pragma('mmap_size = 268435456');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  const checkpointer = startWalCheckpointer(database, file);
  return {
    db,
    dialect: 'sqlite',
    location: file,
    close: async () => {
      await checkpointer.close();
      await db.destroy();
    },
  };
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every query anew; preparing costs about as much as running a small
 * statement, and the builder produces the same SQL text for the same query shape, so
 * prepared statements are kept (the oldest dropped past a bound, for ad hoc queries).
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value ?? '');
        statement = database.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

function openPostgres(url: string): Omit<Store, 'reads'> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', location: redactUrl(url), close: () => db.destroy() };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.username = '';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/**
 * Brings the schema up to date. On PostgreSQL the migrator takes an advisory lock; SQLite
 * has none, so a process that lost the race to a fresh file tries again and finds the
 * work done.
 */
export async function migrate(db: Kysely<Database>, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const { error } = await new Migrator({ db, provider }).migrateToLatest();
    if (!error) return;
    if (attempt >= attempts) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}

/** True when a write failed on a unique or primary-key constraint, on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = typeof error.code === 'string' ? error.code : '';
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
