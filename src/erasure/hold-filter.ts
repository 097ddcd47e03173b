/** SQL conditions for purges that must spare what legal holds keep. */
import { sql, type Expression, type SqlBool } from 'kysely';

/**
 * True when no active hold covers `category` for the subject in `subjectColumn`: a hold
 * without categories covers every one; otherwise its JSON array must name the category.
 */
export function notUnderHold(subjectColumn: string, category: string): Expression<SqlBool> {
  return sql<SqlBool>`not exists (select 1 from legal_holds as held where held.subject_id = ${sql.ref(subjectColumn)} and held.released_at is null and (held.categories is null or held.categories like ${`%${JSON.stringify(category)}%`}))`;
}

/** True when the subject in `subjectColumn` is under no active hold at all. */
export function notHeldAtAll(subjectColumn: string): Expression<SqlBool> {
  return sql<SqlBool>`not exists (select 1 from legal_holds as held where held.subject_id = ${sql.ref(subjectColumn)} and held.released_at is null)`;
}
