/** The notice of a material policy change, in words an account holder reads. */
import type { Declaration } from '../policy/declaration.js';
import { needsConsent } from '../policy/legal-basis.js';
import { dateWords, listWords } from '../policy/policy-document-words.js';

export function policyNoticeText(declaration: Declaration, version: { number: number; publishedAt: string }): { subject: string; text: string } {
  const org = declaration.organization;
  const consentPurposes = declaration.purposes.filter(needsConsent);
  const how =
    declaration.changes.acceptance === 'explicit'
      ? 'Please read it and tell us that you accept it.'
      : 'If you keep using our services after this notice, you accept the new version.';
  const consent =
    consentPurposes.length > 0
      ? `\n\nWhere we rely on your consent (${listWords(consentPurposes.map((purpose) => purpose.description.replace(/\.$/, '').toLowerCase()))}), continuing to use our services does not count as consent: we will ask you again, and nothing changes for you until you say yes.`
      : '';
  return {
    subject: `${org.shortName} has changed its privacy policy`,
    text:
      `We have made an important change to how ${org.shortName} handles personal information. ` +
      `Version ${version.number} of our privacy policy was published on ${dateWords(version.publishedAt)}; you can read it, and every earlier version, at /privacy?version=${version.number} on our site.\n\n` +
      how +
      consent +
      `\n\nIf you do not agree, you may close your account or ask us to delete your data: write to ${org.contactEmail}.\n`,
  };
}
