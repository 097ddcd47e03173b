/**
 * Section 2, "How we use personal information": the declared purposes with their legal
 * basis, which purposes each category may serve and for how long, and aggregation.
 */
import type { Declaration } from './declaration.js';
import { consentOnlyCategories, needsConsent, purposeNeedsConsent } from './legal-basis.js';
import { type Block, emphasis, list, paragraph, promising, strong, text } from './policy-document.js';
import { asSentence, legalBasisWords, listWords, purposeInProse, retentionWords } from './policy-document-words.js';

export function useBlocks(declaration: Declaration): Block[] {
  const purposes = new Map(declaration.purposes.map((purpose) => [purpose.id, purpose.description]));
  const describe = (ids: readonly string[]) => ids.map((id) => purposes.get(id) ?? id);

  const blocks: Block[] = [
    paragraph(text('We may use Personal Information for the following purposes:')),
    list(
      declaration.purposes.map((purpose) => [
        text(`${asSentence(purpose.description)} `),
        emphasis(`Legal basis: ${legalBasisWords[purpose.legalBasis]}.`),
      ]),
    ),
    ...consentBlocks(declaration),
    promising(paragraph(text('We use each kind of information only for the purposes listed for it, and keep it no longer than stated:')), 'purpose-limited-use'),
    {
      kind: 'table',
      caption: 'Purposes and retention for each kind of information',
      head: ['Information', 'Used', 'Kept for'],
      rows: declaration.categories.map((category) => [
        [text(category.name)],
        [text(describe(category.purposes).join('; '))],
        [text(retentionWords(category.retention))],
      ]),
    },
  ];

  const { aggregation } = declaration;
  if (aggregation) {
    blocks.push(
      paragraph(strong('Aggregated Information.'), text(' We may aggregate Personal Information and use the aggregated information:')),
      list(describe(aggregation.purposes).map((description) => [text(asSentence(description))])),
      promising(
        paragraph(
          text(
            aggregation.publish
              ? 'In addition, from time to time, we may analyze the general behavior and characteristics of users of our Services and share aggregated information like general user statistics with third parties, publish such aggregated information or make such aggregated information generally available.'
              : 'We do not share aggregated information with third parties or publish it.',
          ),
          text(' We may collect aggregated information through the Services, through cookies, and through other means described in this Privacy Policy.'),
        ),
        aggregation.publish ? 'aggregated-statistics' : 'statistics-not-published',
      ),
    );
    const consentBased = aggregation.purposes.filter((id) => purposeNeedsConsent(declaration, id));
    if (consentBased.length > 0) {
      blocks.push(
        promising(
          paragraph(text(`When we aggregate Personal Information ${listWords(describe(consentBased).map(purposeInProse))}, we count only the people who have consented to it.`)),
          'statistics-with-consent',
        ),
      );
    }
  }
  return blocks;
}

/** What consent-based purposes mean for use and for collection, stated only when some purpose rests on consent. */
function consentBlocks(declaration: Declaration): Block[] {
  const consentBased = declaration.purposes.filter(needsConsent);
  if (consentBased.length === 0) return [];
  const only = [...consentOnlyCategories(declaration).keys()].map((id) => declaration.categories.find((category) => category.id === id)?.name ?? id);
  return [
    promising(
      paragraph(
        text(
          `Where the legal basis is your consent (${listWords(consentBased.map((purpose) => purposeInProse(purpose.description)))}), we use your Personal Information for that purpose only once you have said yes to it, and you may withdraw your consent at any time, as easily as you gave it.` +
            (only.length > 0 ? ` We collect ${listWords(only)} only from people who have consented to a purpose it serves.` : ''),
        ),
      ),
      'consent-based-purposes',
      ...(only.length > 0 ? (['consent-only-collection'] as const) : []),
    ),
  ];
}
