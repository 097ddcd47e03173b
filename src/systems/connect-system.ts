/**
 * Opens one of the company's databases through Kysely's own dialects, so that a single
 * code path serves PostgreSQL, MySQL/MariaDB and SQLite. Checking and discovering only
 * ever read, so the connection itself refuses writes: a mistake here cannot change a
 * company's data.
 */
import Sqlite from 'better-sqlite3';
import { CompiledQuery, Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql, type DatabaseConnection, type Dialect } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import { VowError } from '../errors.js';
import type { SqlEngine } from '../policy/declared-system.js';

/** Tables Vow did not create: their names come from the declaration or the live schema. */
export type AnyTables = Record<string, Record<string, unknown>>;

export interface SystemDatabase {
  engine: SqlEngine;
  db: Kysely<AnyTables>;
  close(): Promise<void>;
}

const connectTimeoutMs = 5000;

function readOnly(statement: string): (connection: DatabaseConnection) => Promise<void> {
  return async (connection) => {
    await connection.executeQuery(CompiledQuery.raw(statement));
  };
}

/** `read` for checking and discovery; `write` only for carrying out a request (erasure, correction). */
export type SystemAccess = 'read' | 'write';

function dialectOf(engine: SqlEngine, url: string, access: SystemAccess): Dialect {
  const writes = access === 'write';
  switch (engine) {
    case 'postgres': {
      if (!/^postgres(ql)?:\/\//.test(url)) throw new VowError('bad_request', 'a postgres connection must be a postgres:// or postgresql:// URL');
      const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: connectTimeoutMs });
      // An idle connection the server ends (a restart, a DBA) would otherwise be an uncaught error; the next query reconnects.
      pool.on('error', () => undefined);
      return new PostgresDialect({
        pool,
        // Per session rather than per URL option, so a URL's own options cannot turn it off.
        ...(writes ? {} : { onCreateConnection: readOnly('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY') }),
      });
    }
    case 'mysql':
      if (!/^(mysql|mariadb):\/\//.test(url)) throw new VowError('bad_request', 'a mysql connection must be a mysql:// or mariadb:// URL');
      // Without a database, MySQL's schema is empty and every declared table would look missing.
      if (/^[a-z]+:\/\/[^/]*\/?(\?.*)?$/.test(url)) throw new VowError('bad_request', 'a mysql connection must name its database, as in mysql://host:3306/shop');
      return new MysqlDialect({
        pool: createPool({ uri: url.replace(/^mariadb:/, 'mysql:'), connectionLimit: 2, connectTimeout: connectTimeoutMs }),
        ...(writes ? {} : { onCreateConnection: readOnly('SET SESSION TRANSACTION READ ONLY') }),
      });
    case 'sqlite': {
      const path = url.startsWith('file:') ? decodeURIComponent(new URL(url).pathname) : url;
      try {
        return new SqliteDialect({ database: new Sqlite(path, { readonly: !writes, fileMustExist: true }) });
      } catch (error) {
        throw new VowError('unavailable', `cannot open the SQLite database: ${reasonOf(error)}`);
      }
    }
  }
}

/** Connects, and proves it with a first query, so a wrong URL fails here with its reason. */
export async function connectSystem(engine: SqlEngine, url: string, access: SystemAccess = 'read'): Promise<SystemDatabase> {
  const db = new Kysely<AnyTables>({ dialect: dialectOf(engine, url, access) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new VowError('unavailable', `cannot connect: ${reasonOf(error)}`);
  }
  return { engine, db, close: () => db.destroy() };
}

/** A driver's reason, on one line; drivers do not put the password in it. */
function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0]);
  const message = error instanceof Error ? error.message : String(error);
  return message === '' && error instanceof Error && 'code' in error ? String(error.code) : message.split('\n')[0] ?? message;
}
