/**
 * Where a subject's rows are in a declared database. A table with an identity holds them
 * by the subject's e-mail, phone, Vow subject id or external id; every other table
 * reaches such a table through its references, as a graph walked from the identity. Each
 * table's rows are one `where` of nested subqueries, so one statement finds them however
 * many references away the identity is, and on every engine Kysely speaks.
 */
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { IdentityType, SqlSystem, SystemTable } from '../policy/declared-system.js';
import type { AnyTables } from './connect-system.js';

/** The values the subject is known by, captured before Vow's own erasure destroys them. */
export type SubjectIdentity = Partial<Record<IdentityType, string>>;

/**
 * The `where` of the subject's rows of `table`, or undefined when the subject has no value
 * for the identity its path ends at (no phone known, say): none of its rows are the subject's.
 */
export function subjectRowsOf(db: Kysely<AnyTables>, system: SqlSystem, table: SystemTable, identity: SubjectIdentity): Expression<SqlBool> | undefined {
  if (table.identity) {
    const value = identity[table.identity.type];
    return value === undefined ? undefined : sql<SqlBool>`${sql.ref(table.identity.column)} = ${value}`;
  }
  const reference = table.references;
  const parent = reference && tableNamed(system, reference.table);
  if (!reference || !parent) return undefined;
  const parentRows = subjectRowsOf(db, system, parent, identity);
  if (!parentRows) return undefined;
  // Unqualified names resolve to the innermost table: the key is the parent's, the column the table's own.
  const keys = db.selectFrom(parent.name).select(sql.ref(reference.key).as('key')).where(parentRows);
  return sql<SqlBool>`${sql.ref(reference.column)} in (${keys})`;
}

/**
 * The tables in the order an erasure takes them: every table before the tables it
 * references, so a foreign key never points at a row already gone, and a parent's rows
 * still find its children's while they are deleted.
 */
export function referencingFirst(system: SqlSystem): SystemTable[] {
  const depth = (table: SystemTable, seen: ReadonlySet<string> = new Set()): number => {
    const parent = table.references && tableNamed(system, table.references.table);
    // `vow policy check` refuses cycles; the guard keeps a bad file from looping here.
    return parent && !seen.has(parent.name) ? 1 + depth(parent, new Set([...seen, table.name])) : 0;
  };
  return [...system.tables].sort((a, b) => depth(b) - depth(a));
}

function tableNamed(system: SqlSystem, name: string): SystemTable | undefined {
  return system.tables.find((candidate) => candidate.name === name);
}
