/**
 * Section 3, "Sharing and disclosure of personal information": every declared
 * recipient, grouped by kind as the reference policy groups them, then a table of who
 * receives which information, for what, and where.
 */
import { type Declaration, type Recipient, recipientKinds, serviceKinds } from './declaration.js';
import { type Block, type Inline, list, paragraph, promising, strong, text } from './policy-document.js';
import { countryName, listWords, recipientKindLabels, recipientKindWords, serviceKindWords } from './policy-document-words.js';

type RecipientKind = Recipient['kind'];

/** The order in which the reference policy presents the situations; a new kind in the schema must be placed here. */
const kindRank: Record<RecipientKind, number> = {
  'service-provider': 0,
  'business-transfer': 1,
  'legal-authority': 2,
  affiliate: 3,
  'other-users': 4,
};
const kindOrder: readonly RecipientKind[] = [...recipientKinds].sort((a, b) => kindRank[a] - kindRank[b]);

export function sharingBlocks(declaration: Declaration): Block[] {
  const { recipients } = declaration;
  if (recipients.length === 0) {
    return [promising(paragraph(text('We do not share your Personal Information with third parties.')), 'no-sharing')];
  }
  const present = kindOrder.filter((kind) => recipients.some((recipient) => recipient.kind === kind));
  const situations = list(present.map((kind) => [strong(`${recipientKindLabels[kind]}:`), text(` ${situation(kind, declaration)}`)]));
  return [
    promising(
      paragraph(
        text(
          'We share Personal Information with third parties only in the situations below, and each of them receives only the information, and only for the purposes, listed for it in the table that follows:',
        ),
      ),
      'declared-recipients-only',
    ),
    present.includes('legal-authority') ? promising(situations, 'legal-grounds') : situations,
    recipientTable(declaration),
  ];
}

function situation(kind: RecipientKind, declaration: Declaration): string {
  const shortName = declaration.organization.shortName;
  switch (kind) {
    case 'service-provider': {
      const services = serviceKinds.filter((service) =>
        declaration.recipients.some((recipient) => recipient.kind === 'service-provider' && recipient.service === service),
      );
      return `To assist us in meeting business operations needs and to perform certain services and functions, we may share Personal Information with vendors and service providers, including providers of ${listWords(services.map((service) => serviceKindWords[service]))}. Pursuant to our instructions, these parties will access, process, or store Personal Information only in the course of performing their duties to us.`;
    }
    case 'business-transfer':
      return 'If we are involved in strategic transactions, reorganization, bankruptcy, receivership, or transition of service to another provider (collectively a “Transaction”), your Personal Information may be shared in the diligence process with counterparties and others assisting with the Transaction and transferred to a successor or affiliate as part of that Transaction along with other assets.';
    case 'legal-authority':
      return 'We may disclose Personal Information to public authorities if required to do so by law or in the good faith belief that such action is necessary to (i) comply with a legal obligation, including to meet national security or law enforcement requirements, (ii) protect and defend our rights or property, (iii) prevent fraud, (iv) act in urgent circumstances to protect the personal safety of users of the Services, or the public, or (v) protect against legal liability.';
    case 'affiliate':
      return `We may share Personal Information with our affiliates, meaning an entity that controls, is controlled by, or is under common control with ${shortName}. Our affiliates may use the Personal Information we share only in a manner consistent with this Privacy Policy.`;
    case 'other-users':
      return 'Certain actions you take may be visible to other users of the Services.';
  }
}

function recipientTable(declaration: Declaration): Block {
  const categories = new Map(declaration.categories.map((category) => [category.id, category.name]));
  const purposes = new Map(declaration.purposes.map((purpose) => [purpose.id, purpose.description]));
  const rows = [...declaration.recipients]
    .sort((a, b) => kindRank[a.kind] - kindRank[b.kind])
    .flatMap((recipient) =>
      recipient.receives.map((receipt): Inline[][] => [
        [text(recipient.description ? `${recipient.name} (${recipient.description})` : recipient.name)],
        [text(recipientType(recipient))],
        [text(listWords(receipt.categories.map((id) => categories.get(id) ?? id)))],
        [text(receipt.purposes.map((id) => purposes.get(id) ?? id).join('; '))],
        [text(listWords(recipient.countries.map(countryName)))],
      ]),
    );
  return {
    kind: 'table',
    caption: 'Who receives which Personal Information, for what, and where',
    head: ['Recipient', 'Type', 'Information', 'For', 'Where'],
    rows,
  };
}

function recipientType(recipient: Recipient): string {
  if (recipient.kind === 'service-provider' && recipient.service) {
    return `Provider of ${serviceKindWords[recipient.service]}`;
  }
  return recipientKindWords[recipient.kind];
}
