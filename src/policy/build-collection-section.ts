/**
 * Section 1, "Personal information we collect": one statement per declared category,
 * grouped as the reference policy groups them (what you provide, what comes through
 * our social media pages, what we receive automatically), then cookies and signals.
 */
import { cookieBlocks } from './build-cookie-blocks.js';
import { type Category, type Declaration, technicalKinds } from './declaration.js';
import { type Block, type Inline, joinInlines, link, paragraph, promising, strong, text } from './policy-document.js';
import { asSentence, retentionWords } from './policy-document-words.js';

export function collectionBlocks(declaration: Declaration): Block[] {
  return [
    paragraph(
      text(
        'We collect information that alone or in combination with other information in our possession could be used to identify you (“Personal Information”) as follows:',
      ),
    ),
    ...providedBlocks(declaration.categories),
    ...socialBlocks(declaration),
    ...technicalBlocks(declaration),
    ...signalBlocks(declaration),
  ];
}

function categoryParagraph(category: Category): Block {
  const content: Inline[] = [strong(`${category.name}:`), text(` ${asSentence(category.description)}`)];
  if (category.fields.length > 0) {
    content.push(text(` What we record: ${category.fields.map((field) => (field.heldIn === undefined ? field.description : `${field.description} (held in ${field.heldIn})`)).join('; ')}.`));
  }
  if (!category.personal) content.push(text(' This information is aggregated and does not identify you.'));
  content.push(text(` We keep it for ${retentionWords(category.retention)}.`));
  const collectedByApi = category.kind === 'account' || category.kind === 'communication';
  return promising(paragraph(...content), 'retention-period', ...(collectedByApi && category.fields.length > 0 ? (['declared-fields-only'] as const) : []));
}

function providedBlocks(categories: readonly Category[]): Block[] {
  const provided = categories.filter((category) => category.kind === 'account' || category.kind === 'communication');
  if (provided.length === 0) return [];
  const occasions = [
    provided.some((category) => category.kind === 'account') ? 'create an account to use our Services' : undefined,
    provided.some((category) => category.kind === 'communication') ? 'communicate with us' : undefined,
  ].filter((occasion) => occasion !== undefined);
  return [
    paragraph(
      strong('Personal Information You Provide:'),
      text(` We may collect Personal Information if you ${occasions.join(' or ')}, as follows.`),
    ),
    ...provided.map(categoryParagraph),
  ];
}

function socialBlocks(declaration: Declaration): Block[] {
  const social = declaration.categories.filter((category) => category.kind === 'social');
  if (social.length === 0) return [];
  const pages = declaration.socialPages;
  const lead: Inline[] = [strong('Personal Information We Collect Through Our Social Media Pages:')];
  if (pages.length > 0) {
    lead.push(
      text(' We have pages on social media sites like '),
      ...joinInlines(pages.map((page) => [link(page.name, page.url)])),
      text(' (“Social Media Pages”).'),
    );
  }
  return [paragraph(...lead), ...social.map(categoryParagraph)];
}

function technicalBlocks(declaration: Declaration): Block[] {
  const technical = declaration.categories.filter((category) => category.kind === 'technical');
  const blocks: Block[] = [];
  if (technical.length > 0) {
    blocks.push(
      promising(
        paragraph(
          strong('Personal Information We Receive Automatically From Your Use of the Services:'),
          text(
            ' When you visit, use, and interact with the Services, we may receive certain information about your visit, use, or interactions (“Technical Information”), including the following:',
          ),
        ),
        'technical-on-declared-basis',
      ),
    );
  }
  let cookiesShown = false;
  for (const kind of technicalKinds) {
    const ofKind = technical.filter((category) => category.technical === kind);
    blocks.push(...ofKind.map(categoryParagraph));
    if (kind === 'cookies' && ofKind.length > 0) {
      blocks.push(...cookieBlocks(declaration));
      cookiesShown = true;
    }
  }
  // Cookies declared for the banner are stated even when no category is of the cookies kind.
  if (!cookiesShown && declaration.cookies.length > 0) {
    blocks.push(paragraph(strong('Cookies:'), text(' We use the cookies listed below.')), ...cookieBlocks(declaration));
  }
  return blocks;
}

function signalBlocks(declaration: Declaration): Block[] {
  // Sharing and advertising cookies are what follow a browser across other websites.
  const tracking = declaration.cookies.some((group) => group.treatedAs.some((treatment) => treatment === 'sharing' || treatment === 'advertising'));
  const lead: Inline[] = [strong('Online Tracking and Do Not Track Signals:')];
  if (tracking) {
    lead.push(
      text(
        ' We and our third party service providers may use cookies or other tracking technologies to collect information about your browsing activities over time and across different websites following your use of the Site.',
      ),
    );
  }
  lead.push(
    text(
      declaration.signals.doNotTrack === 'ignore'
        ? ' Our Site currently does not respond to “Do Not Track” (“DNT”) signals and operates as described in this Privacy Policy whether or not a DNT signal is received.'
        : ' Our Site responds to “Do Not Track” (“DNT”) signals: when your browser sends one, we treat it as your choice to opt out of all cookies and tracking that are not strictly necessary.',
    ),
  );
  const gpc =
    declaration.signals.globalPrivacyControl === 'honor'
      ? 'We honor the Global Privacy Control (“GPC”) signal: when your browser sends it, we treat it as your request to opt out of the sale and sharing of your Personal Information and of targeted advertising.'
      : 'Our Site currently does not respond to Global Privacy Control (“GPC”) signals.';
  return [
    promising(paragraph(...lead), declaration.signals.doNotTrack === 'ignore' ? 'dnt-ignored' : 'dnt-honored'),
    promising(paragraph(text(gpc)), declaration.signals.globalPrivacyControl === 'honor' ? 'gpc-honored' : 'gpc-ignored'),
  ];
}
