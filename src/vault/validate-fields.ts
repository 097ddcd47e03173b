/**
 * Checks submitted fields against the declaration: a field the category does not
 * declare is refused by name, never stored or dropped. Messages name fields, never
 * their values, since the values are personal data.
 */
import { z } from 'zod';
import { VowError, type Problem } from '../errors.js';
import type { Category } from '../policy/declaration.js';
import type { Fields } from './field-cipher.js';

export const MAX_FIELD_LENGTH = 10_000;

const Email = z.email();
const IsoDate = z.iso.date();

/** Extra rules for fields whose names say what they hold. */
const fieldRules: Record<string, { check: (value: string) => boolean; message: string }> = {
  email: { check: (value) => Email.safeParse(value).success, message: 'must be an e-mail address' },
  birthDate: { check: (value) => IsoDate.safeParse(value).success, message: 'must be a date as YYYY-MM-DD' },
};

export function validateFields(category: Category, input: Record<string, unknown>, options: { require?: readonly string[] } = {}): Fields {
  const declared = new Set(category.fields.map((field) => field.name));
  const problems: Problem[] = [];
  const fields: Fields = {};
  for (const [name, value] of Object.entries(input)) {
    if (!declared.has(name)) {
      problems.push({ path: name, message: `is not a declared field of category "${category.id}" (declared: ${[...declared].join(', ')})` });
    } else if (typeof value !== 'string') {
      problems.push({ path: name, message: 'must be a string' });
    } else if (value.trim() === '') {
      problems.push({ path: name, message: 'must not be empty' });
    } else if (value.length > MAX_FIELD_LENGTH) {
      problems.push({ path: name, message: `must be at most ${MAX_FIELD_LENGTH} characters` });
    } else if (fieldRules[name] && !fieldRules[name].check(value.trim())) {
      problems.push({ path: name, message: fieldRules[name].message });
    } else {
      fields[name] = value.trim();
    }
  }
  for (const name of options.require ?? []) {
    if (declared.has(name) && !(name in input)) problems.push({ path: name, message: 'is required' });
  }
  if (problems.length > 0) {
    throw new VowError('bad_request', problems.map((problem) => `${problem.path} ${problem.message}`).join('; '), problems);
  }
  return fields;
}

/** The declared personal category of a kind (account, communication, social). */
export function categoryOfKind(categories: readonly Category[], kind: Category['kind']): Category {
  const category = categories.find((candidate) => candidate.kind === kind && candidate.personal);
  if (!category) throw new VowError('not_found', `the declaration has no personal category of kind ${kind}`);
  return category;
}

/** Whole years between a birth date and today, in UTC. */
export function ageOn(birthDate: string, today: Date): number {
  const [year = 0, month = 1, day = 1] = birthDate.split('-').map(Number);
  const age = today.getUTCFullYear() - year;
  const hadBirthday = today.getUTCMonth() + 1 > month || (today.getUTCMonth() + 1 === month && today.getUTCDate() >= day);
  return hadBirthday ? age : age - 1;
}
