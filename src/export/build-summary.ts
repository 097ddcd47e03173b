/**
 * The human-readable summary of an access export (GDPR art. 15(1)): what is held, why,
 * for how long, where data not given by the person came from, who receives it (the
 * declared recipients of each category, and the disclosures recorded), and the right to
 * complain to a supervisory authority.
 */
import type { Category, Declaration, Recipient } from '../policy/declaration.js';
import { countryName, dateWords, listWords, retentionWords } from '../policy/policy-document-words.js';

export interface SummaryFacts {
  subjectId: string;
  generatedAt: string;
  firstSeen: string;
  linkedVisitors: number;
  /** Subjects of messages sent from the account's address, linked once the writer was known to hold it. */
  linkedContacts: number;
  /** Category id → how many records or events are held. */
  held: Map<string, number>;
  consents: { recordedAt: string; granted: string[]; refused: string[] } | undefined;
  disclosures: { recipient: string; purpose: string; categories: string[]; country: string; kind: string; at: string; legalGround?: string }[];
  transfers: number | undefined;
  requests: number | undefined;
  policy: { notified: number[]; accepted: { version: number; method: string }[] };
  files: string[];
}

export function buildSummary(declaration: Declaration, facts: SummaryFacts): string {
  const purposes = new Map(declaration.purposes.map((purpose) => [purpose.id, purpose]));
  const recipients = new Map(declaration.recipients.map((recipient) => [recipient.id, recipient]));
  const org = declaration.organization;
  const lines: string[] = [
    `# Your data held by ${org.name}`,
    '',
    `This export lists everything ${org.shortName} holds about you (reference \`${facts.subjectId}\`), as of ${dateWords(facts.generatedAt)}.`,
    `We first recorded data about you on ${dateWords(facts.firstSeen)}.`,
  ];
  if (facts.linkedVisitors > 0) lines.push(`It includes the data of ${facts.linkedVisitors} browser visit${facts.linkedVisitors === 1 ? '' : 's'} linked to your account.`);
  if (facts.linkedContacts > 0) lines.push('It includes the messages you sent us from your address before they were linked to your account.');
  lines.push('', '## What we hold, why, and for how long', '');
  const heldCategories = declaration.categories.filter((category) => (facts.held.get(category.id) ?? 0) > 0);
  if (heldCategories.length === 0) lines.push('We hold no records in any category about you.');
  for (const category of heldCategories) {
    const count = facts.held.get(category.id) ?? 0;
    lines.push(`### ${category.name} (${count} ${count === 1 ? 'item' : 'items'})`, '', category.description, '');
    lines.push('Why we use it:');
    for (const id of category.purposes) {
      const purpose = purposes.get(id);
      if (purpose) lines.push(`- ${purpose.description} (legal basis: ${purpose.legalBasis.replaceAll('-', ' ')})`);
    }
    lines.push('', `How long we keep it: ${retentionWords(category.retention)}.`);
    const origin = sourceWords[category.source];
    if (origin) lines.push(`Where it comes from: ${origin}.`);
    const receiving = declaration.recipients.filter((recipient) => receives(recipient, category));
    lines.push(
      receiving.length > 0
        ? `Who receives it: ${listWords(receiving.map((recipient) => `${recipient.name} (${listWords(recipient.countries.map(countryName))})`))}.`
        : 'Who receives it: no one outside ' + org.shortName + '.',
      '',
    );
  }
  lines.push('## Your cookie choices', '');
  lines.push(
    facts.consents
      ? `Your latest choice, recorded on ${dateWords(facts.consents.recordedAt)}, allowed ${facts.consents.granted.length > 0 ? listWords(facts.consents.granted) : 'no optional cookies'}${facts.consents.refused.length > 0 ? ` and refused ${listWords(facts.consents.refused)}` : ''}. Every choice is in consents.csv.`
      : 'We have no record of a cookie choice from you.',
    '',
  );
  lines.push('## Disclosures of your data recorded', '');
  if (facts.disclosures.length === 0) lines.push('No disclosure of your data to a named recipient is recorded; the recipients listed with each category above receive it in the course of their services to us.');
  for (const disclosure of facts.disclosures) {
    const name = recipients.get(disclosure.recipient)?.name ?? disclosure.recipient;
    const why = purposes.get(disclosure.purpose)?.description ?? disclosure.purpose;
    const what = disclosure.categories.map((id) => declaration.categories.find((category) => category.id === id)?.name ?? id);
    lines.push(`- ${dateWords(disclosure.at)}: ${name} (${countryName(disclosure.country)}) received ${listWords(what)}, for: ${why}${disclosure.kind === 'legal-request' ? ` (in answer to a legal request${disclosure.legalGround ? `, ${disclosure.legalGround}` : ''})` : ''}.`);
  }
  if (facts.transfers !== undefined) lines.push('', `Transfers of your data to other countries recorded: ${facts.transfers} (see transfers.csv).`);
  lines.push('');
  if (facts.requests !== undefined) lines.push('## Your requests', '', `Requests you made to us: ${facts.requests} (see requests.csv).`, '');
  lines.push('## Policy versions', '');
  lines.push(facts.policy.notified.length > 0 ? `We told you of the changes in version${facts.policy.notified.length === 1 ? '' : 's'} ${listWords(facts.policy.notified.map(String))}.` : 'We have not had to notify you of a policy change.');
  for (const acceptance of facts.policy.accepted) {
    lines.push(`You accepted version ${acceptance.version} ${acceptance.method === 'explicit' ? 'explicitly' : 'by continuing to use our services after the notice'}.`);
  }
  lines.push(
    '## Your rights',
    '',
    `You may ask us to correct or delete your data, or to stop using it, by writing to ${org.contactEmail}. Where we rely on your consent, you may withdraw it at any time. ` +
      'You also have the right to lodge a complaint with a data protection supervisory authority, in particular in the country where you live or work, or where you think your rights were infringed.',
  );
  lines.push('', '## The files in this export', '');
  for (const file of facts.files) lines.push(`- \`${file}\``);
  lines.push(
    '',
    `Each part comes as JSON (as we hold it) and as CSV (for a spreadsheet). To correct or delete any of it, or to ask a question, write to ${org.contactEmail}.`,
    '',
  );
  return lines.join('\n');
}

const sourceWords: Record<Category['source'], string | undefined> = {
  subject: undefined,
  automatic: 'collected automatically when you visit the Site or use the Services',
  'social-platform': 'the social media platforms that host our pages, when you interact with them',
  'third-party': 'third parties who provided it to us',
};

function receives(recipient: Recipient, category: Category): boolean {
  return recipient.receives.some((receipt) => receipt.categories.includes(category.id));
}
