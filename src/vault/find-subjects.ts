/**
 * Staff finding a person by e-mail address, as the console's search does: through the
 * blind index (the keyed hash the vault files addresses under; no address is stored or
 * compared in the clear), both the account holding the address and the subject keeping
 * the messages sent from it unproven. Each find is audited, without the address.
 */
import { appendAudit } from '../audit/append-audit.js';
import { blindIndex } from './blind-index.js';
import { UNVERIFIED_EMAIL } from './subject-store.js';
import { findSubject, findSubjectIdByIdentifier, type SubjectRow } from './subject.repository.js';
import type { VaultContext } from './vault-context.js';

export async function findSubjectsByEmail(ctx: VaultContext, options: { email: string; actor: string; now?: Date }): Promise<SubjectRow[]> {
  const index = blindIndex(ctx.blindKey, 'email', options.email);
  const ids = await Promise.all([findSubjectIdByIdentifier(ctx.db, 'email', index), findSubjectIdByIdentifier(ctx.db, UNVERIFIED_EMAIL, index)]);
  const found: SubjectRow[] = [];
  for (const id of new Set(ids.filter((id): id is string => id !== undefined))) {
    const subject = await findSubject(ctx.db, id);
    if (subject) found.push({ id: subject.id, kind: subject.kind, region: subject.region, createdAt: subject.createdAt, lastActivityAt: subject.lastActivityAt, closedAt: subject.closedAt });
  }
  const now = options.now ?? new Date();
  await ctx.db.transaction().execute(async (trx) => {
    if (found.length === 0) await appendAudit(trx, { actor: options.actor, action: 'subject.searched', target: 'subjects', data: { found: 0 } }, now);
    for (const subject of found) await appendAudit(trx, { actor: options.actor, action: 'subject.searched', target: `subject:${subject.id}`, data: { found: found.length } }, now);
  });
  return found;
}
