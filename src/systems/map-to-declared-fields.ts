/**
 * Which declared field a classified column most likely holds. A table's columns go to the
 * one personal category that names the most of their kinds (a ticket's e-mail, name and
 * message: communication), so a table reads as one kind of information; a column that
 * category cannot hold goes to any category that can, and one no category can is left
 * for a person to declare.
 */
import type { Category, Declaration } from '../policy/declaration.js';
import { informationKinds } from '../policy/declaration.js';
import type { PersonalKind } from './classify-column.js';

export interface MappedKind {
  column: string;
  kind: PersonalKind;
  /** Absent when no declared category has a field for this kind. */
  field?: { category: string; field: string };
}

/** The field names a declaration uses for each kind, most usual first. */
const fieldNames: Record<PersonalKind, readonly string[]> = {
  email: ['email', 'emailAddress'],
  phone: ['phone', 'phoneNumber', 'mobile', 'telephone'],
  'ip-address': ['ipAddress', 'ip'],
  name: ['name', 'fullName'],
  'birth-date': ['birthDate', 'dateOfBirth', 'birthday'],
  'postal-address': ['address', 'postalAddress', 'shippingAddress'],
  'free-text': ['message', 'content', 'interaction', 'notes'],
  // A user id is a link to a subject, not information about them: it reaches, it is not exported.
  'user-id': [],
};

function fieldFor(category: Category, kind: PersonalKind): string | undefined {
  const declared = new Set(category.fields.map((field) => field.name));
  return fieldNames[kind].find((name) => declared.has(name));
}

export function mapToDeclaredFields(declaration: Declaration, columns: readonly { column: string; kind: PersonalKind }[]): MappedKind[] {
  const kindRank = (category: Category) => informationKinds.indexOf(category.kind);
  // Account information before communication, social and technical, then the file's order.
  const personal = declaration.categories.filter((category) => category.personal).sort((a, b) => kindRank(a) - kindRank(b));
  const covered = (category: Category) => new Set(columns.filter((entry) => fieldFor(category, entry.kind) !== undefined).map((entry) => entry.kind)).size;
  const main = personal.reduce<Category | undefined>((best, category) => (covered(category) > (best ? covered(best) : 0) ? category : best), undefined);
  return columns.map((entry) => {
    const category = [main, ...personal].find((candidate) => candidate !== undefined && fieldFor(candidate, entry.kind) !== undefined);
    const field = category ? fieldFor(category, entry.kind) : undefined;
    return category && field ? { ...entry, field: { category: category.id, field } } : { ...entry };
  });
}
