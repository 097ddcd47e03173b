/**
 * Deletes a subject's rows from every table the registry marks `delete`, keeping what a
 * legal hold keeps: held categories' records and events, and then the subject and its
 * data key too, which the held data still needs. Each delete goes through an index on
 * the subject column, so erasing one subject among millions stays quick.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { holdsAnything, type HeldScope } from './held-scope.js';
import { subjectTables, type SubjectTableEntry } from './subject-tables.js';

/** Rows deleted per table (tables with nothing deleted included, as 0). */
export type ErasureCounts = Record<string, number>;

/** The registry's tables seen without their row types: the deletes are the same for every one. */
type LooseTables = Record<string, Record<string, string | number | null>>;

export async function applyErasure(trx: Kysely<Database>, subjectId: string, scope: HeldScope): Promise<ErasureCounts> {
  const counts: ErasureCounts = {};
  if (scope.all) return counts;
  const loose = trx as unknown as Kysely<LooseTables>;
  const entries = subjectTables.filter((entry) => entry.treatment === 'delete');
  // The subject and its key go last, after every row that references them.
  const ordered = [...entries.filter((entry) => !entry.last), ...entries.filter((entry) => entry.last)];
  for (const entry of ordered) {
    if (entry.last && holdsAnything(scope)) continue;
    const deleted = await deleteRows(loose, entry, subjectId, scope);
    counts[entry.table] = (counts[entry.table] ?? 0) + deleted;
  }
  return counts;
}

async function deleteRows(db: Kysely<LooseTables>, entry: SubjectTableEntry, subjectId: string, scope: HeldScope): Promise<number> {
  let query = db.deleteFrom(entry.table).where(db.dynamic.ref(entry.column), '=', subjectId);
  if (entry.categoryColumn && scope.categories.length > 0) query = query.where(db.dynamic.ref(entry.categoryColumn), 'not in', scope.categories);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
