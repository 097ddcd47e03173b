import { VowError } from '../errors.js';
import { findSubject, categoriesHeld } from './subject.repository.js';
import { linkedSubjects } from './link-visitor.js';
import type { VaultContext } from './vault-context.js';

export interface Choices {
  subjectId: string;
  available: { feature: string; name: string }[];
  /** Features the subject cannot use, with the categories it withheld or withdrew. */
  unavailable: { feature: string; name: string; missing: string[] }[];
}

/**
 * Section 9 of the policy: which features a subject cannot use because it did not
 * provide the data they need, counting its records and events and those of the visitors
 * linked to it.
 */
export async function listChoices(ctx: VaultContext, subjectId: string): Promise<Choices> {
  if (!(await findSubject(ctx.db, subjectId))) throw new VowError('not_found', `no subject ${subjectId}`);
  const held = await categoriesHeld(ctx.db, [subjectId, ...(await linkedSubjects(ctx.db, subjectId))]);
  const result: Choices = { subjectId, available: [], unavailable: [] };
  for (const choice of ctx.declaration.choices) {
    const missing = choice.requires.filter((category) => !held.has(category));
    if (missing.length === 0) result.available.push({ feature: choice.feature, name: choice.name });
    else result.unavailable.push({ feature: choice.feature, name: choice.name, missing });
  }
  return result;
}
