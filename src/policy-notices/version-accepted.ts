/**
 * Under explicit acceptance, a revised policy applies to an account holder only once
 * they accept it: until then their data is used as the version they last accepted
 * allows, and for nothing a later version added. The version a subject is under is the
 * newest it accepted, by whatever means the rule of that version allowed, or else the
 * one in force when the subject came to be (signing up under a version is taking it).
 */
import type { Kysely } from 'kysely';
import type { Declaration } from '../policy/declaration.js';
import { findVersion } from '../policy/policy-version.repository.js';
import type { Database } from '../store/schema.js';

/** The declaration the subject is under, or undefined when it is the one in force (nothing to narrow). */
export async function declarationAcceptedBy(db: Kysely<Database>, subjectId: string, inForce: { number: number }): Promise<Declaration | undefined> {
  const accepted = await db.selectFrom('policy_acceptances').select((eb) => eb.fn.max<number | null>('version').as('version')).where('subject_id', '=', subjectId).executeTakeFirst();
  let number = accepted?.version ?? undefined;
  if (number === undefined) {
    const subject = await db.selectFrom('subjects').select('created_at').where('id', '=', subjectId).executeTakeFirst();
    if (!subject) return undefined;
    const atCreation = await db
      .selectFrom('policy_versions')
      .select((eb) => eb.fn.max<number | null>('number').as('number'))
      .where('published_at', '<=', subject.created_at)
      .executeTakeFirst();
    number = atCreation?.number ?? undefined;
  }
  // PostgreSQL answers max() of an integer column as a number, SQLite too; neither as text.
  if (number === undefined || number >= inForce.number) return undefined;
  return (await findVersion(db, number))?.declaration;
}
