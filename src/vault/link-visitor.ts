/**
 * Links a browser visitor (the SDK's pseudonymous id, with its consent records and
 * events) to the account of the person behind it, so that an access export or an
 * erasure of the account reaches what was collected while browsing as well. The two
 * stay separate subjects with separate keys; the link is the only join.
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { VowError } from '../errors.js';
import { isUniqueViolation } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import { findSubjectByIdentifier } from './subject-store.js';
import { findSubject } from './subject.repository.js';
import type { VaultContext } from './vault-context.js';

export async function linkVisitor(
  ctx: VaultContext,
  options: { subjectId: string; visitorId: string; actor: Actor; now?: Date },
): Promise<{ subjectId: string; visitorSubjectId: string }> {
  const now = options.now ?? new Date();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const account = await findSubject(trx, options.subjectId);
      if (!account || account.kind === 'visitor') throw new VowError('not_found', `no account for subject ${options.subjectId}`);
      const visitorSubjectId = await findSubjectByIdentifier(ctx, trx, { kind: 'visitor', value: options.visitorId });
      // Same answer for a visitor never seen and one already erased: nothing to link.
      if (!visitorSubjectId) throw new VowError('not_found', 'no consent or events are recorded for this visitor id');
      const existing = await trx
        .selectFrom('subject_links')
        .select('subject_id')
        .where('linked_subject_id', '=', visitorSubjectId)
        .executeTakeFirst();
      if (existing?.subject_id === account.id) return { subjectId: account.id, visitorSubjectId };
      if (existing) throw new VowError('conflict', 'this visitor is already linked to another account');
      await trx
        .insertInto('subject_links')
        .values({ subject_id: account.id, linked_subject_id: visitorSubjectId, linked_at: now.toISOString() })
        .execute();
      await appendAudit(
        trx,
        { actor: options.actor, action: 'visitor.linked', target: `subject:${account.id}`, data: { visitor: visitorSubjectId } },
        now,
      );
      return { subjectId: account.id, visitorSubjectId };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new VowError('conflict', 'this visitor is already linked to another account');
    throw error;
  }
}

/** The visitor subjects linked to an account (empty for a visitor or an unlinked account). */
export async function linkedSubjects(db: Kysely<Database>, subjectId: string): Promise<string[]> {
  const rows = await db.selectFrom('subject_links').select('linked_subject_id').where('subject_id', '=', subjectId).execute();
  return rows.map((row) => row.linked_subject_id);
}

/** A subject and those linked to it either way: the ones who decide as one person with it. */
export async function personOf(db: Kysely<Database>, subjectId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('subject_links')
    .select(['subject_id', 'linked_subject_id'])
    .where((eb) => eb.or([eb('subject_id', '=', subjectId), eb('linked_subject_id', '=', subjectId)]))
    .execute();
  return new Set([subjectId, ...rows.flatMap((row) => [row.subject_id, row.linked_subject_id])]);
}
