/**
 * Whether the declaration allows a disclosure: the recipient is declared, receives every
 * one of these categories for this purpose, and processes data in the destination
 * country. A refusal names the rule that failed, so the privacy engineer can see which
 * promise of the policy the disclosure would have broken.
 */
import type { Declaration } from '../policy/declaration.js';

export interface DisclosureRequest {
  recipient: string;
  categories: readonly string[];
  purpose: string;
  /** Where the data goes (ISO 3166-1 alpha-2); defaults to the recipient's only country. */
  country?: string;
}

export type DisclosureRule =
  | 'recipient-declared'
  | 'purpose-declared'
  | 'category-declared'
  | 'category-allows-purpose'
  | 'recipient-receives-category'
  | 'recipient-country'
  | 'transfer-declared'
  | 'sale-opt-out'
  | 'purpose-consent';

export type DisclosureVerdict =
  /** `sale`: the recipient is treated as a sale or sharing, so subjects who opted out are left out. */
  | { allowed: true; country: string; sale: boolean }
  | { allowed: false; rule: DisclosureRule; message: string };

export function checkDisclosure(declaration: Declaration, request: DisclosureRequest): DisclosureVerdict {
  const refuse = (rule: DisclosureRule, message: string): DisclosureVerdict => ({ allowed: false, rule, message });
  const recipient = declaration.recipients.find((candidate) => candidate.id === request.recipient);
  if (!recipient) return refuse('recipient-declared', `"${request.recipient}" is not a recipient the policy declares`);
  if (!declaration.purposes.some((purpose) => purpose.id === request.purpose)) {
    return refuse('purpose-declared', `"${request.purpose}" is not a purpose the policy declares`);
  }
  for (const id of request.categories) {
    const category = declaration.categories.find((candidate) => candidate.id === id);
    if (!category) return refuse('category-declared', `"${id}" is not a category the policy declares`);
    if (!category.purposes.includes(request.purpose)) {
      return refuse('category-allows-purpose', `category "${id}" may not be used for "${request.purpose}"`);
    }
    const receives = recipient.receives.some((receipt) => receipt.categories.includes(id) && receipt.purposes.includes(request.purpose));
    if (!receives) {
      return refuse('recipient-receives-category', `"${recipient.id}" is not declared to receive "${id}" for "${request.purpose}"`);
    }
  }
  const country = request.country ?? (recipient.countries.length === 1 ? recipient.countries[0] : undefined);
  if (country === undefined || !recipient.countries.includes(country)) {
    return refuse(
      'recipient-country',
      `"${recipient.id}" processes data in ${recipient.countries.join(', ')}${country === undefined ? '; name the destination country' : `, not ${country}`}`,
    );
  }
  const transferred = declaration.transfers.some((transfer) => transfer.to === country);
  const home = declaration.transfers.length === 0;
  if (!transferred && !home) {
    return refuse('transfer-declared', `no international transfer to ${country} is declared`);
  }
  return { allowed: true, country, sale: recipient.treatedAs.length > 0 };
}
