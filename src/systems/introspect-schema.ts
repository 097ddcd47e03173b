/**
 * The live schema of a company database: its tables, their columns and their single-column
 * foreign keys. Tables are named as the declaration names them: bare in the connection's
 * default schema, `schema.table` elsewhere.
 */
import { sql, type Kysely } from 'kysely';
import type { SqlEngine } from '../policy/declared-system.js';
import type { AnyTables, SystemDatabase } from './connect-system.js';

export interface LiveColumn {
  name: string;
  dataType: string;
}

export interface LiveForeignKey {
  column: string;
  table: string;
  key: string;
}

export interface LiveTable {
  name: string;
  columns: LiveColumn[];
  foreignKeys: LiveForeignKey[];
}

export interface LiveSchema {
  tables: LiveTable[];
}

interface ForeignKeyRow {
  constraintName: string;
  schema: string | null;
  table: string;
  column: string;
  refSchema: string | null;
  refTable: string;
  refColumn: string;
}

export async function introspectSchema(system: SystemDatabase): Promise<LiveSchema> {
  const { db, engine } = system;
  const defaultSchema = await defaultSchemaOf(db, engine);
  const nameOf = (schema: string | null | undefined, table: string) => (schema && schema !== defaultSchema ? `${schema}.${table}` : table);
  const tables = await db.introspection.getTables();
  const keys = singleColumn(await foreignKeyRows(db, engine, tables.map((table) => table.name)));
  return {
    tables: tables
      .map((table) => {
        const name = nameOf(table.schema, table.name);
        return {
          name,
          columns: table.columns.map((column) => ({ name: column.name, dataType: column.dataType.toLowerCase() })),
          foreignKeys: keys
            .filter((key) => nameOf(key.schema, key.table) === name)
            .map((key) => ({ column: key.column, table: nameOf(key.refSchema, key.refTable), key: key.refColumn })),
        };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

async function defaultSchemaOf(db: Kysely<AnyTables>, engine: SqlEngine): Promise<string | undefined> {
  if (engine === 'postgres') {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    return rows[0]?.schema;
  }
  if (engine === 'mysql') {
    const { rows } = await sql<{ schema: string }>`select database() as \`schema\``.execute(db);
    return rows[0]?.schema;
  }
  return undefined;
}

/** A composite key says nothing about one column, so only single-column keys become references. */
function singleColumn(rows: readonly ForeignKeyRow[]): ForeignKeyRow[] {
  const count = new Map<string, number>();
  const keyOf = (row: ForeignKeyRow) => `${row.schema ?? ''}.${row.table}.${row.constraintName}`;
  for (const row of rows) count.set(keyOf(row), (count.get(keyOf(row)) ?? 0) + 1);
  return rows.filter((row) => count.get(keyOf(row)) === 1);
}

async function foreignKeyRows(db: Kysely<AnyTables>, engine: SqlEngine, tables: readonly string[]): Promise<ForeignKeyRow[]> {
  switch (engine) {
    case 'postgres': {
      // The catalog, not information_schema: PostgreSQL names foreign keys uniquely per table
      // only, so information_schema cannot always tell which table a constraint belongs to.
      const { rows } = await sql<ForeignKeyRow>`
        select con.conname as "constraintName", ns.nspname as "schema", cl.relname as "table", att.attname as "column",
               fns.nspname as "refSchema", fcl.relname as "refTable", fatt.attname as "refColumn"
        from pg_constraint con
        join pg_class cl on cl.oid = con.conrelid
        join pg_namespace ns on ns.oid = cl.relnamespace
        join pg_class fcl on fcl.oid = con.confrelid
        join pg_namespace fns on fns.oid = fcl.relnamespace
        join lateral unnest(con.conkey, con.confkey) as pair(attnum, fattnum) on true
        join pg_attribute att on att.attrelid = con.conrelid and att.attnum = pair.attnum
        join pg_attribute fatt on fatt.attrelid = con.confrelid and fatt.attnum = pair.fattnum
        where con.contype = 'f' and ns.nspname not in ('pg_catalog', 'information_schema')`.execute(db);
      return rows;
    }
    case 'mysql': {
      const rows = await db
        .withTables<{
          'information_schema.key_column_usage': {
            constraint_name: string;
            table_schema: string;
            table_name: string;
            column_name: string;
            referenced_table_schema: string | null;
            referenced_table_name: string | null;
            referenced_column_name: string | null;
          };
        }>()
        .selectFrom('information_schema.key_column_usage')
        .select([
          'constraint_name as constraintName',
          'table_schema as schema',
          'table_name as table',
          'column_name as column',
          'referenced_table_schema as refSchema',
          'referenced_table_name as refTable',
          'referenced_column_name as refColumn',
        ])
        .where('table_schema', '=', sql<string>`database()`)
        .where('referenced_table_name', 'is not', null)
        .execute();
      return rows.flatMap((row) => (row.refTable !== null && row.refColumn !== null ? [{ ...row, refTable: row.refTable, refColumn: row.refColumn }] : []));
    }
    case 'sqlite': {
      const perTable = await Promise.all(
        tables.map(async (table) => {
          const { rows } = await sql<{ id: number; table: string; from: string; to: string | null }>`
            select id, "table", "from", "to" from pragma_foreign_key_list(${table})`.execute(db);
          // `to` is null when the key is the referenced table's primary key, unnamed.
          return rows.map((row) => ({
            constraintName: String(row.id),
            schema: null,
            table,
            column: row.from,
            refSchema: null,
            refTable: row.table,
            refColumn: row.to ?? 'rowid',
          }));
        }),
      );
      return perTable.flat();
    }
  }
}
