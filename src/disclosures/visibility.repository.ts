/** SQL for subjects' visibility settings (field names only). */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export async function findVisibility(db: Kysely<Database>, subjectId: string): Promise<{ fields: string[]; updatedAt: string } | undefined> {
  const row = await db.selectFrom('subject_visibility').select(['fields', 'updated_at']).where('subject_id', '=', subjectId).executeTakeFirst();
  return row && { fields: JSON.parse(row.fields) as string[], updatedAt: row.updated_at };
}

export async function saveVisibility(trx: Kysely<Database>, subjectId: string, fields: readonly string[], at: string): Promise<void> {
  await trx
    .insertInto('subject_visibility')
    .values({ subject_id: subjectId, fields: JSON.stringify(fields), updated_at: at })
    .onConflict((conflict) => conflict.column('subject_id').doUpdateSet({ fields: JSON.stringify(fields), updated_at: at }))
    .execute();
}
