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
