/**
 * The rights in a declared database: the subject's rows gathered for an access export,
 * the declared fields corrected, and the declared erasure applied (rows deleted, or
 * columns masked), each in one transaction of that database, so a failure leaves it as it
 * was and the task can simply run again.
 */
import { createHmac } from 'node:crypto';
import { sql, type AliasedRawBuilder, type Kysely } from 'kysely';
import type { SqlSystem, SystemTable } from '../policy/declared-system.js';
import type { AnyTables } from './connect-system.js';
import { referencingFirst, subjectRowsOf, type SubjectIdentity } from './subject-rows.js';

/** One table's share of an access export: its declared fields, named `category.field`. */
export interface GatheredTable {
  table: string;
  rows: Record<string, unknown>[];
}

export async function gatherSubjectRows(db: Kysely<AnyTables>, system: SqlSystem, identity: SubjectIdentity): Promise<GatheredTable[]> {
  const gathered: GatheredTable[] = [];
  // One snapshot, so a row moving between tables meanwhile is neither missed nor shown twice.
  await db.transaction().execute(async (trx) => {
    for (const table of system.tables) {
      const where = subjectRowsOf(trx, system, table, identity);
      if (!where) continue;
      // Without declared fields a table still says that rows exist (an order, say): their count, as an empty row each.
      const columns: AliasedRawBuilder<unknown, string>[] = table.fields.map((field) => sql.ref(field.column).as(`${field.category}.${field.field}`));
      const rows = await trx
        .selectFrom(table.name)
        .select(columns.length > 0 ? columns : [sql`1`.as('row')])
        .where(where)
        .execute();
      if (rows.length > 0) gathered.push({ table: table.name, rows: columns.length > 0 ? rows : rows.map(() => ({})) });
    }
  });
  return gathered;
}

/** Rows deleted and rows masked, per table. */
export type ErasedRows = Record<string, { deleted: number; masked: number }>;

/**
 * Applies each table's declared erasure to the subject's rows, referencing tables first.
 * `hashKey` keys the `hash` mask: the same value always masks alike, so rows stay
 * joinable and counts right, while no one without the key can test a guess.
 */
export async function eraseSubjectRows(db: Kysely<AnyTables>, system: SqlSystem, identity: SubjectIdentity, hashKey: Buffer): Promise<ErasedRows> {
  const erased: ErasedRows = {};
  await db.transaction().execute(async (trx) => {
    for (const table of referencingFirst(system)) {
      const where = subjectRowsOf(trx, system, table, identity);
      if (!where) continue;
      if (table.erase === 'delete') {
        const result = await trx.deleteFrom(table.name).where(where).executeTakeFirst();
        erased[table.name] = { deleted: Number(result.numDeletedRows), masked: 0 };
      } else {
        erased[table.name] = { deleted: 0, masked: await maskRows(trx, system, table, table.erase.mask, identity, hashKey) };
      }
    }
  });
  return erased;
}

async function maskRows(trx: Kysely<AnyTables>, system: SqlSystem, table: SystemTable, mask: Exclude<SystemTable['erase'], 'delete'>['mask'], identity: SubjectIdentity, hashKey: Buffer): Promise<number> {
  let masked = 0;
  const fixed = mask.filter((column) => column.with !== 'hash');
  const hashed = mask.filter((column) => column.with === 'hash');
  // The where is built afresh for each statement: a column this update masks may be the identity it selects by.
  const rows = () => subjectRowsOf(trx, system, table, identity) ?? sql<boolean>`1 = 0`;
  for (const column of hashed) {
    // A keyed hash is computed here, not in SQL (no engine shares one): one update per distinct value.
    const values = await trx.selectFrom(table.name).select(sql.ref(column.column).as('value')).distinct().where(rows()).execute();
    for (const { value } of values) {
      if (value === null || value === undefined) continue;
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const result = await trx
        .updateTable(table.name)
        .set({ [column.column]: maskedHash(hashKey, system.id, table.name, column.column, text) })
        .where(rows())
        .where(sql.ref(column.column), '=', value)
        .executeTakeFirst();
      masked = Math.max(masked, Number(result.numUpdatedRows));
    }
  }
  const values: Record<string, unknown> = Object.fromEntries(fixed.map((column) => [column.column, column.with === null ? null : typeof column.with === 'object' ? column.with.value : null]));
  // A row kept masked must not keep pointing at the person's deleted row: its link is a
  // pseudonym of them, and the database's foreign key would refuse the deletion anyway.
  // Last, in the one statement, since the link is how the row was found.
  const parent = table.references && system.tables.find((candidate) => candidate.name === table.references?.table);
  if (table.references && parent?.erase === 'delete') values[table.references.column] = null;
  if (Object.keys(values).length > 0) {
    const result = await trx.updateTable(table.name).set(values).where(rows()).executeTakeFirst();
    masked = Math.max(masked, Number(result.numUpdatedRows));
  }
  return masked;
}

/** Bound to its system, table and column, so equal values elsewhere do not mask alike. */
function maskedHash(key: Buffer, system: string, table: string, column: string, value: string): string {
  return `hmac:${createHmac('sha256', key).update(`${system}\0${table}\0${column}\0${value}`).digest('hex').slice(0, 32)}`;
}

/** The declared account fields' new values, by `category.field`. */
export type CorrectedFields = Record<string, string>;

/**
 * Writes corrected values into every column declared to hold them, referencing tables
 * first: a correction of the identity itself (a new e-mail) must not lose the rows that
 * are found through it.
 */
export async function correctSubjectRows(db: Kysely<AnyTables>, system: SqlSystem, identity: SubjectIdentity, corrected: CorrectedFields): Promise<Record<string, number>> {
  const updated: Record<string, number> = {};
  await db.transaction().execute(async (trx) => {
    for (const table of referencingFirst(system)) {
      const changes = Object.fromEntries(table.fields.flatMap((field) => {
        const value = corrected[`${field.category}.${field.field}`];
        return value === undefined ? [] : [[field.column, value]];
      }));
      if (Object.keys(changes).length === 0) continue;
      const where = subjectRowsOf(trx, system, table, identity);
      if (!where) continue;
      const result = await trx.updateTable(table.name).set(changes).where(where).executeTakeFirst();
      updated[table.name] = Number(result.numUpdatedRows);
    }
  });
  return updated;
}
