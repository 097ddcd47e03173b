/** SQL for events. */
import type { CompiledQuery, Insertable, Kysely } from 'kysely';
import type { Database, EventTable } from '../store/schema.js';

export type NewEventRow = Insertable<EventTable>;

const COLUMNS = ['id', 'subject_id', 'category', 'name', 'occurred_at', 'received_at', 'country', 'data', 'event_count'] as const;

/**
 * Rows per statement. Multi-row inserts cost one statement for many rows; powers of two
 * keep the SQL texts (and so SQLite's prepared statements) to seven, and any count of
 * rows below 128 to at most seven statements.
 */
const CHUNK_SIZES = [64, 32, 16, 8, 4, 2, 1] as const;

/**
 * Inserts of events, compiled once per size by the typed builder: building and compiling
 * a 64-row insert costs more than running it, and only the values change from one to the
 * next. The compiled parameters are checked to follow COLUMNS row by row.
 */
export function createEventInserts(db: Kysely<Database>): (trx: Kysely<Database>, rows: readonly NewEventRow[]) => Promise<void> {
  const compiled = new Map<number, CompiledQuery>();
  const compile = (size: number): CompiledQuery => {
    const marker = (row: number, column: number) => `\0${row}:${column}`;
    const placeholders = Array.from({ length: size }, (_, row) =>
      Object.fromEntries(COLUMNS.map((column, index) => [column, marker(row, index)])) as unknown as NewEventRow,
    );
    const query = db.insertInto('events').values(placeholders).compile();
    const expected = placeholders.flatMap((_, row) => COLUMNS.map((_column, index) => marker(row, index)));
    if (query.parameters.length !== expected.length || query.parameters.some((parameter, index) => parameter !== expected[index])) {
      throw new Error('the compiled insert of events does not bind its values row by row in column order');
    }
    return query;
  };
  const statement = (size: number): CompiledQuery => {
    let query = compiled.get(size);
    if (!query) compiled.set(size, (query = compile(size)));
    return query;
  };

  return async (trx, rows) => {
    let start = 0;
    for (const size of CHUNK_SIZES) {
      while (rows.length - start >= size) {
        const parameters: unknown[] = [];
        for (let index = start; index < start + size; index += 1) {
          const row = rows[index];
          if (row) parameters.push(row.id, row.subject_id, row.category, row.name, row.occurred_at, row.received_at, row.country ?? null, row.data, row.event_count ?? 1);
        }
        await trx.executeQuery({ ...statement(size), parameters });
        start += size;
      }
    }
  };
}

/** Moves a subject's last activity forward (never back), for retention periods counted from it. */
export async function touchSubject(trx: Kysely<Database>, subjectId: string, at: string): Promise<void> {
  await trx.updateTable('subjects').set({ last_activity_at: at }).where('id', '=', subjectId).where('last_activity_at', '<', at).execute();
}
