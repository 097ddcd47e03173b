/** A subject's choice of what other users see, and reading it back. */
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { VowError } from '../errors.js';
import { findSubject } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import { checkVisibility, defaultVisibility, requireOtherUsersRecipient, visibleFieldChoices } from './visibility.js';
import { findVisibility, saveVisibility } from './visibility.repository.js';

export interface Visibility {
  subjectId: string;
  /** The `category.field` names other users see. */
  fields: string[];
  /** True while the subject has not chosen: `fields` is then the declaration's default. */
  isDefault: boolean;
  /** Every name the subject may choose from. */
  choices: string[];
  updatedAt: string | null;
}

export async function readVisibility(ctx: VaultContext, subjectId: string): Promise<Visibility> {
  const recipient = requireOtherUsersRecipient(ctx.declaration);
  if (!(await findSubject(ctx.db, subjectId))) throw new VowError('not_found', `no subject ${subjectId}`);
  const stored = await findVisibility(ctx.db, subjectId);
  return {
    subjectId,
    fields: stored?.fields ?? defaultVisibility(recipient),
    isDefault: stored === undefined,
    choices: visibleFieldChoices(ctx.declaration, recipient),
    updatedAt: stored?.updatedAt ?? null,
  };
}

/**
 * Replaces the subject's setting with these fields (an empty list: other users see
 * nothing), checked against what the other-users recipient may receive, and audited.
 */
export async function setVisibility(ctx: VaultContext, options: { subjectId: string; fields: readonly string[]; actor: Actor; now?: Date }): Promise<Visibility> {
  const recipient = requireOtherUsersRecipient(ctx.declaration);
  const fields = checkVisibility(ctx.declaration, recipient, options.fields);
  const now = options.now ?? new Date();
  const at = now.toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await findSubject(trx, options.subjectId))) throw new VowError('not_found', `no subject ${options.subjectId}`);
    await saveVisibility(trx, options.subjectId, fields, at);
    // Field names are not personal data; the values never pass through here.
    await appendAudit(trx, { actor: options.actor, action: 'visibility.changed', target: `subject:${options.subjectId}`, data: { fields: fields.join(',') } }, now);
  });
  return { subjectId: options.subjectId, fields, isDefault: false, choices: visibleFieldChoices(ctx.declaration, recipient), updatedAt: at };
}
