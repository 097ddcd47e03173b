/**
 * Runs a suite against every database Vow supports: SQLite always, PostgreSQL when it
 * is reachable. Each test gets a database of its own. With VOW_REQUIRE_POSTGRES=1 (as
 * `.ci/run` sets) an unreachable PostgreSQL fails the run instead of being skipped.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { openStore, type Dialect, type Store } from '../../src/store/open-store.js';

const adminUrl = process.env.VOW_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const required = process.env.VOW_REQUIRE_POSTGRES === '1';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export const postgresAvailable = await reachable(adminUrl);
if (!postgresAvailable) {
  if (required) throw new Error(`PostgreSQL is required (VOW_REQUIRE_POSTGRES=1) but not reachable at ${adminUrl}`);
  console.warn(`PostgreSQL is not reachable at ${adminUrl}: SKIPPING the PostgreSQL half of this suite`);
}

export interface TestDatabase {
  dialect: Dialect;
  /** Config for this database; `env` adds or overrides variables. */
  config(env?: Record<string, string>): Config;
  /** The data folder (the SQLite file lives here; PostgreSQL runs keep their key files here). */
  dataDir: string;
  /** For PostgreSQL, the database URL; for SQLite, undefined. */
  url: string | undefined;
  cleanup(): Promise<void>;
}

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vow-test-'));
  const removeDir = () => {
    rmSync(dataDir, { recursive: true, force: true });
  };
  if (dialect === 'sqlite') {
    return {
      dialect,
      dataDir,
      url: undefined,
      config: (env = {}) => loadConfig({ VOW_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }),
      cleanup: () => {
        removeDir();
        return Promise.resolve();
      },
    };
  }
  const name = `vow_test_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    dialect,
    dataDir,
    url: url.toString(),
    config: (env = {}) => loadConfig({ VOW_DATA_DIR: dataDir, DATABASE_URL: url.toString(), LOG_LEVEL: 'silent', ...env }),
    async cleanup() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      removeDir();
    },
  };
}

/** Declares `body` once per database; `database()` gives the current test's own database. */
export function describeEachDatabase(title: string, body: (database: () => TestDatabase) => void): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const declare = dialect === 'postgres' && !postgresAvailable ? describe.skip : describe;
    declare(`${title} [${dialect}]`, () => {
      let current: TestDatabase | undefined;
      beforeEach(async () => {
        current = await createTestDatabase(dialect);
      });
      afterEach(async () => {
        await current?.cleanup();
        current = undefined;
      });
      body(() => {
        if (!current) throw new Error('no database outside a test');
        return current;
      });
    });
  }
}

/** Opens the test database's store (migrated; `env` as for `config`, the master keys say), runs `test` with it, and closes it. */
export async function withStore(database: TestDatabase, test: (store: Store) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const store = await openStore(database.config(env));
  try {
    await test(store);
  } finally {
    await store.close();
  }
}

/** Two handles on one database, as two server processes would hold. */
export async function withTwoStores(database: TestDatabase, test: (a: Store, b: Store) => Promise<void>): Promise<void> {
  const a = await openStore(database.config());
  const b = await openStore(database.config());
  try {
    await test(a, b);
  } finally {
    await a.close();
    await b.close();
  }
}

/** Makes the test database's store, as `vow serve` does on its first start: CLI commands refuse to make one. */
export async function ensureStore(database: TestDatabase, env: Record<string, string> = {}): Promise<void> {
  const store = await openStore(database.config(env));
  await store.close();
}
