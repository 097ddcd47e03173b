/**
 * A subject whose erasure a legal hold held back (all of it or some categories) is kept
 * for the law's sake only: its data is read only for purposes whose legal basis is a
 * legal obligation, and it is sent no policy notices or other mail about the Services.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** Whether an erasure was asked for this subject while a hold (still active) kept some of its data. */
export async function isHeldAfterErasure(db: Kysely<Database>, subjectId: string): Promise<boolean> {
  const row = await db
    .selectFrom('erasures')
    .select('erasures.id')
    .where('erasures.subject_id', '=', subjectId)
    .where((eb) => eb.exists(eb.selectFrom('legal_holds').select('legal_holds.id').where('legal_holds.subject_id', '=', subjectId).where('legal_holds.released_at', 'is', null)))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
