/**
 * Deletes a subject's rows from every table the registry marks `delete`, keeping what a
 * legal hold keeps: held categories' records and events, and then the subject and its
 * data key too, which the held data still needs, and the records that go with it (its
 * sale opt-out, disclosure accounting, transfers). Each delete goes through an index on
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

export async function applyErasure(
  trx: Kysely<Database>,
  subjectId: string,
  scope: HeldScope,
  options: { deferLargeTables?: boolean } = {},
): Promise<ErasureCounts> {
  const counts: ErasureCounts = {};
  if (scope.all) return counts;
  const loose = trx as unknown as Kysely<LooseTables>;
  const entries = subjectTables.filter((entry) => entry.treatment === 'delete');
  // The subject and its key go last, after every row that references them.
  const ordered = [...entries.filter((entry) => !entry.last), ...entries.filter((entry) => entry.last)];
  for (const entry of subjectTables) {
    if (entry.treatment !== 'keep-pseudonymous' || !entry.cleared) continue;
    const cleared = Object.fromEntries(entry.cleared.map((column) => [column, null]));
    await loose.updateTable(entry.table).set(cleared).where(loose.dynamic.ref(entry.column), '=', subjectId).execute();
  }
  // With a hold, what is kept decides row by row: everything is deleted here and now.
  const defer = (options.deferLargeTables ?? true) && !holdsAnything(scope);
  let waiting = 0;
  for (const entry of ordered) {
    if ((entry.last || entry.keptWhileHeld) && holdsAnything(scope)) continue;
    if (entry.deferred && defer) {
      const left = await countRows(loose, entry, subjectId);
      counts[entry.table] = (counts[entry.table] ?? 0) + left;
      waiting += left;
      continue;
    }
    if (entry.table === 'subjects' && waiting > 0) {
      await trx.updateTable('subjects').set({ kind: ERASED_KIND, region: null }).where('id', '=', subjectId).execute();
      counts.subjects = 1;
      continue;
    }
    const deleted = await deleteRows(loose, entry, subjectId, scope);
    counts[entry.table] = (counts[entry.table] ?? 0) + deleted;
  }
  return counts;
}

/** The kind of a subject row kept only until the purge has deleted its deferred rows. */
export const ERASED_KIND = 'erased';

async function countRows(db: Kysely<LooseTables>, entry: SubjectTableEntry, subjectId: string): Promise<number> {
  const row = await db
    .selectFrom(entry.table)
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where(db.dynamic.ref(entry.column), '=', subjectId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

async function deleteRows(db: Kysely<LooseTables>, entry: SubjectTableEntry, subjectId: string, scope: HeldScope): Promise<number> {
  let query = db.deleteFrom(entry.table).where(db.dynamic.ref(entry.column), '=', subjectId);
  if (entry.categoryColumn && scope.categories.length > 0) query = query.where(db.dynamic.ref(entry.categoryColumn), 'not in', scope.categories);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
