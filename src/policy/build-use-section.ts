/**
 * Section 2, "How we use personal information": the declared purposes with their legal
 * basis, which purposes each category may serve and for how long, and aggregation.
 */
import type { Declaration } from './declaration.js';
import { type Block, emphasis, list, paragraph, strong, text } from './policy-document.js';
import { asSentence, legalBasisWords, retentionWords } from './policy-document-words.js';

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
    paragraph(text('We use each kind of information only for the purposes listed for it, and keep it no longer than stated:')),
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
      paragraph(
        text(
          aggregation.publish
            ? 'In addition, from time to time, we may analyze the general behavior and characteristics of users of our Services and share aggregated information like general user statistics with third parties, publish such aggregated information or make such aggregated information generally available.'
            : 'We do not share aggregated information with third parties or publish it.',
        ),
        text(' We may collect aggregated information through the Services, through cookies, and through other means described in this Privacy Policy.'),
      ),
    );
  }
  return blocks;
}
