/** What a purpose's legal basis asks of Vow: one predicate for "needs the person's own consent". */
import type { Declaration, Purpose } from './declaration.js';

/** A purpose needs the subject's own, specific consent when its legal basis is consent (GDPR art. 6(1)(a)). */
export function needsConsent(purpose: Pick<Purpose, 'legalBasis'>): boolean {
  return purpose.legalBasis === 'consent';
}

export function consentBasedPurposes(declaration: Pick<Declaration, 'purposes'>): string[] {
  return declaration.purposes.filter(needsConsent).map((purpose) => purpose.id);
}

export function purposeNeedsConsent(declaration: Pick<Declaration, 'purposes'>, purposeId: string): boolean {
  return declaration.purposes.some((purpose) => purpose.id === purposeId && needsConsent(purpose));
}

/**
 * Categories collected only for purposes that rest on consent, with those purposes: with
 * no other purpose to serve, such data may be collected from a person only once that
 * person has consented to one of them.
 */
export function consentOnlyCategories(declaration: Pick<Declaration, 'purposes' | 'categories'>): Map<string, readonly string[]> {
  const consentBased = new Set(consentBasedPurposes(declaration));
  const result = new Map<string, readonly string[]>();
  for (const category of declaration.categories) {
    if (category.purposes.length > 0 && category.purposes.every((purpose) => consentBased.has(purpose))) result.set(category.id, category.purposes);
  }
  return result;
}
