/**
 * A subject's acceptance of a policy version. No acceptance, explicit or by continued use
 * (where the declaration says so), covers a purpose whose legal basis is consent: that
 * consent is specific to the purpose and given on its own (`consent/record-purpose-consent.ts`),
 * so accepting a policy never stands in for it.
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import { VowError } from '../errors.js';
import { needsConsent } from '../policy/legal-basis.js';
import type { Declaration } from '../policy/declaration.js';
import { findVersion } from '../policy/policy-version.repository.js';
import type { Database } from '../store/schema.js';
import { findSubject } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import { accountOfVisitor, findAcceptances, findUnacceptedNotices, insertAcceptance, replaceAcceptance, type AcceptanceRow } from './policy-notice.repository.js';

/** The purposes an acceptance covers under the version's declaration: never those based on consent, however it was given. */
export function purposesCovered(declaration: Pick<Declaration, 'purposes'>): string[] {
  return declaration.purposes.filter((purpose) => !needsConsent(purpose)).map((purpose) => purpose.id);
}

export async function acceptPolicy(
  ctx: VaultContext,
  options: { subjectId: string; version: number; actor: string; now?: Date },
): Promise<AcceptanceRow & { subjectId: string }> {
  const now = options.now ?? new Date();
  if (!(await findSubject(ctx.db, options.subjectId))) throw new VowError('not_found', `no subject ${options.subjectId}`);
  const version = await findVersion(ctx.db, options.version);
  if (!version) throw new VowError('version_not_found', `no policy version ${options.version}`);
  return ctx.db.transaction().execute(async (trx) => {
    const existing = (await findAcceptances(trx, options.subjectId)).find((acceptance) => acceptance.version === options.version);
    if (existing?.method === 'explicit') return { ...existing, subjectId: options.subjectId };
    const acceptance: AcceptanceRow = {
      version: options.version,
      method: 'explicit',
      acceptedAt: now.toISOString(),
      actor: options.actor,
      purposes: purposesCovered(version.declaration),
    };
    await replaceAcceptance(trx, options.subjectId, acceptance);
    await appendAudit(
      trx,
      { actor: options.actor, action: 'policy.accepted', target: `subject:${options.subjectId}`, data: { version: options.version, method: 'explicit' } },
      now,
    );
    return { ...acceptance, subjectId: options.subjectId };
  });
}

/**
 * Records acceptance by continued use of every version the subject was told of and has
 * not accepted, when the declaration says acceptance is by continued use. Called inside
 * the transaction of the subject's act (an account update, a message, a consent choice).
 * Returns the versions accepted.
 */
export async function recordContinuedUse(
  ctx: VaultContext,
  db: Kysely<Database>,
  options: { subjectId: string; actor: string; now?: Date },
): Promise<number[]> {
  if (ctx.declaration.changes.acceptance !== 'continued-use') return [];
  const now = options.now ?? new Date();
  // A visitor linked to an account acts for that account (notices go to account holders).
  const subjectId = (await accountOfVisitor(db, options.subjectId)) ?? options.subjectId;
  const pending = await findUnacceptedNotices(db, subjectId, now.toISOString());
  for (const number of pending) {
    const version = await findVersion(db, number);
    if (!version) continue;
    // The version's own declaration decides: a version that asked for explicit acceptance is not accepted by use.
    if (version.declaration.changes.acceptance !== 'continued-use') continue;
    await insertAcceptance(db, subjectId, {
      version: number,
      method: 'continued-use',
      acceptedAt: now.toISOString(),
      actor: options.actor,
      purposes: purposesCovered(version.declaration),
    });
    await appendAudit(db, { actor: options.actor, action: 'policy.accepted', target: `subject:${subjectId}`, data: { version: number, method: 'continued-use' } }, now);
  }
  return pending;
}
