/**
 * SQL for logical backups: which tables exist, which reference which (so rows are
 * written parents first and deleted children first), and rows a page at a time.
 * Table and column names come from the live schema's introspection, never from input.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../store/open-store.js';
import type { Database } from '../store/schema.js';

export type Value = string | number | null;
export type Row = Record<string, Value>;
type LooseTables = Record<string, Row>;

export interface TableInfo {
  name: string;
  columns: string[];
}

const loose = (db: Kysely<Database>) => db as unknown as Kysely<LooseTables>;

/** Vow's tables (the migrator's own are left to the migrator), in an order where parents come before children. */
export async function backupTables(db: Kysely<Database>, dialect: Dialect): Promise<TableInfo[]> {
  const tables = (await db.introspection.getTables())
    .filter((table) => !table.isView && !table.name.startsWith('kysely_'))
    .map((table) => ({ name: table.name, columns: table.columns.map((column) => column.name) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const parents = await foreignKeyParents(db, dialect, tables.map((table) => table.name));
  return parentsFirst(tables, parents);
}

async function foreignKeyParents(db: Kysely<Database>, dialect: Dialect, tables: readonly string[]): Promise<Map<string, Set<string>>> {
  const parents = new Map<string, Set<string>>(tables.map((table) => [table, new Set<string>()]));
  if (dialect === 'sqlite') {
    for (const table of tables) {
      const { rows } = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${table})`.execute(db);
      for (const row of rows) if (row.table !== table) parents.get(table)?.add(row.table);
    }
  } else {
    const { rows } = await sql<{ child: string; parent: string }>`
      select distinct tc.table_name as child, ccu.table_name as parent
      from information_schema.table_constraints tc
      join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.constraint_schema = tc.constraint_schema
      where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`.execute(db);
    for (const row of rows) if (row.child !== row.parent) parents.get(row.child)?.add(row.parent);
  }
  return parents;
}

function parentsFirst(tables: readonly TableInfo[], parents: Map<string, Set<string>>): TableInfo[] {
  const ordered: TableInfo[] = [];
  const placed = new Set<string>();
  const visit = (table: TableInfo, path: Set<string>) => {
    if (placed.has(table.name) || path.has(table.name)) return;
    path.add(table.name);
    for (const parent of parents.get(table.name) ?? []) {
      const info = tables.find((candidate) => candidate.name === parent);
      if (info) visit(info, path);
    }
    placed.add(table.name);
    ordered.push(table);
  };
  for (const table of tables) visit(table, new Set());
  return ordered;
}

/** A page of rows in a stable order (every column), so paging never skips or repeats one. */
export async function readPage(db: Kysely<Database>, table: TableInfo, offset: number, limit: number): Promise<Row[]> {
  const l = loose(db);
  let query = l.selectFrom(table.name).selectAll();
  for (const column of table.columns) query = query.orderBy(l.dynamic.ref(column));
  return query.limit(limit).offset(offset).execute();
}

export async function deleteAllRows(db: Kysely<Database>, table: string): Promise<void> {
  await loose(db).deleteFrom(table).execute();
}

export async function insertRows(db: Kysely<Database>, table: string, rows: readonly Row[]): Promise<void> {
  if (rows.length > 0) await loose(db).insertInto(table).values([...rows]).execute();
}

export async function appliedMigrations(db: Kysely<Database>): Promise<string[]> {
  const rows = await loose(db).selectFrom('kysely_migration').select('name').orderBy('name').execute();
  return rows.map((row) => String(row.name));
}
