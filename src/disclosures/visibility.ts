/**
 * What other users may see of a subject (section 3, "Other Users"): the recipient of kind
 * `other-users` receives some categories; of their fields, a subject's visibility
 * setting names those shown, and until the subject chooses, the declaration's
 * `visibleToOtherUsers` does. A setting holds field names only, never values.
 */
import { VowError, type Problem } from '../errors.js';
import type { Declaration, Recipient } from '../policy/declaration.js';

/** The declared recipient standing for other users, or undefined when the Services share nothing with them. */
export function otherUsersRecipient(declaration: Declaration): Recipient | undefined {
  return declaration.recipients.find((recipient) => recipient.kind === 'other-users');
}

export function requireOtherUsersRecipient(declaration: Declaration): Recipient {
  const recipient = otherUsersRecipient(declaration);
  if (!recipient) throw new VowError('forbidden', 'the declaration declares no recipient of kind other-users: nothing is shown to other users (rule: recipient-declared)');
  return recipient;
}

/** Every field a subject may show to other users (`category.field`), in declaration order. */
export function visibleFieldChoices(declaration: Declaration, recipient: Recipient): string[] {
  const received = new Set(recipient.receives.flatMap((receipt) => receipt.categories));
  return declaration.categories
    .filter((category) => received.has(category.id))
    .flatMap((category) => category.fields.map((field) => `${category.id}.${field.name}`));
}

/**
 * A subject's requested setting, checked: every name one the recipient may receive, each
 * once. Returns the names in declaration order; refuses naming every problem by path.
 */
export function checkVisibility(declaration: Declaration, recipient: Recipient, fields: readonly string[]): string[] {
  const choices = visibleFieldChoices(declaration, recipient);
  const allowed = new Set(choices);
  const problems: Problem[] = [];
  const seen = new Set<string>();
  fields.forEach((name, index) => {
    if (!allowed.has(name)) problems.push({ path: `fields[${index}]`, message: `"${name}" is not a field other users may be shown (choices: ${choices.join(', ')})` });
    else if (seen.has(name)) problems.push({ path: `fields[${index}]`, message: `"${name}" is listed twice` });
    seen.add(name);
  });
  const [first] = problems;
  if (first) throw new VowError('bad_request', problems.length === 1 ? first.message : `${first.message} (and ${problems.length - 1} more)`, problems);
  return choices.filter((name) => seen.has(name));
}

/** What other users see of a subject who has not chosen. */
export function defaultVisibility(recipient: Recipient): string[] {
  return recipient.visibleToOtherUsers ?? [];
}

/**
 * A purpose for which the recipient receives every one of these categories: the purpose
 * a showing to other users is made for, as the declaration states it.
 */
export function purposeOfShowing(recipient: Recipient, categories: readonly string[]): string | undefined {
  const purposes = recipient.receives.flatMap((receipt) => receipt.purposes);
  return purposes.find((purpose) =>
    categories.every((category) => recipient.receives.some((receipt) => receipt.purposes.includes(purpose) && receipt.categories.includes(category))),
  );
}
