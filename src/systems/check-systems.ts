/**
 * `vow systems check`: each declared database, opened read-only, held against the
 * declaration. Only the schema is read, never a row: checking touches no one's data.
 */
import { VowError } from '../errors.js';
import type { Finding } from '../policy/check-declaration.js';
import type { Declaration } from '../policy/declaration.js';
import { isSqlSystem, type DeclaredSystem } from '../policy/declared-system.js';
import { connectSystem } from './connect-system.js';
import { findDrift } from './find-drift.js';
import { introspectSchema } from './introspect-schema.js';

export interface CheckSystemsOptions {
  declaration: Declaration;
  /** Reads the variable a system's `connection` names. */
  variable: (name: string) => string | undefined;
  /** Only this system (its id); every system when absent. */
  only?: string;
}

export type SystemCheck =
  | { system: DeclaredSystem; checked: true; tables: number; columns: number; errors: Finding[]; warnings: Finding[] }
  | { system: DeclaredSystem; checked: false; reason: string; errors: Finding[]; warnings: Finding[] };

export async function checkSystems(options: CheckSystemsOptions): Promise<SystemCheck[]> {
  const systems = (options.declaration.systems ?? []).map((system, index) => ({ system, index }));
  const chosen = options.only === undefined ? systems : systems.filter(({ system }) => system.id === options.only);
  if (options.only !== undefined && chosen.length === 0) {
    const declared = systems.map(({ system }) => system.id);
    throw new VowError('not_found', `no system "${options.only}" is declared (${declared.length > 0 ? `declared: ${declared.join(', ')}` : 'none is'})`);
  }
  const results: SystemCheck[] = [];
  // One at a time: a company database is not to be hit by a burst of introspection.
  for (const { system, index } of chosen) results.push(await checkOne(system, index, options.variable));
  return results;
}

async function checkOne(system: DeclaredSystem, index: number, variable: (name: string) => string | undefined): Promise<SystemCheck> {
  if (!isSqlSystem(system)) {
    return { system, checked: false, reason: `not a database (${system.engine}): nothing to hold against a schema`, errors: [], warnings: [] };
  }
  const failed = (message: string): SystemCheck => ({
    system,
    checked: false,
    reason: 'not checked',
    errors: [{ path: ['systems', index, 'connection'], message }],
    warnings: [],
  });
  const url = variable(system.connection);
  if (url === undefined) return failed(`system "${system.id}" cannot be reached: the environment variable ${system.connection} (its connection) is not set`);
  let database;
  try {
    database = await connectSystem(system.engine, url);
  } catch (error) {
    if (error instanceof VowError) return failed(`system "${system.id}" (${system.connection}): ${error.message}`);
    throw error;
  }
  try {
    const schema = await introspectSchema(database);
    const drift = findDrift(system, index, schema);
    const columns = system.tables.reduce((sum, table) => sum + new Set([...table.fields.map((field) => field.column)]).size, 0);
    return { system, checked: true, tables: system.tables.length, columns, ...drift };
  } finally {
    await database.close();
  }
}
