/**
 * Builds the public privacy policy from the declaration: the ten sections of the
 * reference policy, each stating only what the declaration contains, so that the page
 * and the enforcing system cannot say different things.
 */
import { needsConsent } from './legal-basis.js';
import { collectionBlocks } from './build-collection-section.js';
import { sharingBlocks } from './build-sharing-section.js';
import { useBlocks } from './build-use-section.js';
import type { Declaration } from './declaration.js';
import {
  type Block,
  type Inline,
  type PolicyDocument,
  joinInlines,
  link,
  list,
  paragraph,
  promising,
  slugify,
  strong,
  text,
} from './policy-document.js';
import { asSentence, countryInProse, listWords, purposeInProse, safeguardWords } from './policy-document-words.js';

export interface PolicyMeta {
  version: number | null;
  /** ISO date of publication. */
  lastUpdated: string | null;
}

/** Titles and order follow the reference policy, so readers find each promise where they expect it. */
const sections: readonly (readonly [title: string, build: (declaration: Declaration) => Block[]])[] = [
  ['Personal information we collect', collectionBlocks],
  ['How we use personal information', useBlocks],
  ['Sharing and disclosure of personal information', sharingBlocks],
  ['How to contact us; updating your information', contactBlocks],
  ['Children', childrenBlocks],
  ['Links to other websites', linksBlocks],
  ['Security', securityBlocks],
  ['International users', internationalBlocks],
  ['Your choices', choicesBlocks],
  ['Changes to the privacy policy', changesBlocks],
];

export function buildPolicyDocument(declaration: Declaration, meta: PolicyMeta): PolicyDocument {
  return {
    title: `${declaration.organization.name} Privacy Policy`,
    organization: declaration.organization.name,
    version: meta.version,
    lastUpdated: meta.lastUpdated,
    intro: intro(declaration),
    sections: sections.map(([title, build], index) => ({ id: slugify(title), number: index + 1, title, blocks: build(declaration) })),
  };
}

function intro(declaration: Declaration): Inline[] {
  const { organization, scope } = declaration;
  const together = organization.affiliates ? 'together with our affiliates, ' : '';
  return [
    text(
      `We at ${organization.name} (${together}“${organization.shortName}”, “we”, “our” or “us”) respect your privacy and are strongly committed to keeping secure any information we obtain from you or about you. ` +
        `This Privacy Policy describes our practices with respect to Personal Information we collect from or about you when you access ${scope.site} (the “Site”), or use ${scope.services} (the “Services”).`,
    ),
  ];
}

const mailto = (declaration: Declaration): Inline => link(declaration.organization.contactEmail, `mailto:${declaration.organization.contactEmail}`);

function contactBlocks(declaration: Declaration): Block[] {
  return [
    paragraph(
      text('Please contact us at '),
      mailto(declaration),
      text(
        ' if you need to change or correct your Personal Information, or if you have any questions or concerns not already addressed in this Privacy Policy.',
      ),
    ),
    promising(
      paragraph(
        text(
          'You may also ask us for a copy of your Personal Information, or ask us to delete it. We will ask you to confirm your identity first, so that we never hand your information to someone else.',
        ),
      ),
      'rights-requests',
    ),
  ];
}

function childrenBlocks(declaration: Declaration): Block[] {
  const age = declaration.minimumAge;
  const name = declaration.organization.shortName;
  if (age === 0) {
    return [
      promising(
        paragraph(
          text('Our Service is open to people of all ages. If you have a question about Personal Information a child has provided to us, please email us at '),
          mailto(declaration),
          text('.'),
        ),
        'all-ages',
      ),
    ];
  }
  return [
    promising(
      paragraph(
        text(
          `Our Service is not directed to children who are under the age of ${age}. ${name} does not knowingly collect Personal Information from children under the age of ${age}. ` +
            `If you have reason to believe that a child under the age of ${age} has provided Personal Information to ${name} through the Service, please email us at `,
        ),
        mailto(declaration),
        text(' and we will delete that information from our databases.'),
      ),
      'minimum-age',
      'child-report-deletion',
    ),
  ];
}

function linksBlocks(declaration: Declaration): Block[] {
  const { socialPages, links } = declaration;
  const social = socialPages.length > 0 ? ', including social media services' : '';
  const blocks: Block[] = [
    paragraph(
      text(
        `The Service may contain links to other websites not operated or controlled by ${declaration.organization.shortName}${social} (“Third Party Sites”). ` +
          'The information that you share with Third Party Sites will be governed by the specific privacy policies and terms of service of the Third Party Sites and not by this Privacy Policy. ' +
          'By providing these links we do not imply that we endorse or have reviewed these sites. Please contact the Third Party Sites directly for information on their privacy practices and policies.',
      ),
    ),
  ];
  if (links.notice) {
    blocks.push(
      promising(paragraph(text('Before you follow a link to a Third Party Site, we tell you that you are leaving our Site and that its own privacy policy applies.')), 'link-notice'),
    );
  }
  if (socialPages.length > 0) {
    blocks.push(paragraph(strong('Our Social Media Pages:')), list(socialPages.map((page) => [link(page.name, page.url)])));
  }
  if (links.sites.length > 0) {
    blocks.push(paragraph(strong('Other sites we link to:')), list(links.sites.map((site) => [link(site.name, site.url)])));
  }
  return blocks;
}

function securityBlocks(declaration: Declaration): Block[] {
  const { measures, emailWarning } = declaration.security;
  const disclaimer = 'not responsible for circumvention of any privacy settings or security measures contained on the Service, or third party websites.';
  return [
    paragraph(text('You use the Service at your own risk. To protect Personal Information, we implement the following measures:')),
    list(measures.map((measure) => [text(asSentence(measure))])),
    paragraph(text(emailWarning === undefined ? `We are ${disclaimer}` : `However, ${continuingSentence(emailWarning)} In addition, we are ${disclaimer}`)),
  ];
}

/**
 * The declaration's warning stands on its own (forms and mails show it as written); the
 * page follows the measures with "However, …", so its first word loses its capital there,
 * unless it is "I" or a name (a capital follows, as in "AIRobotics").
 */
function continuingSentence(sentence: string): string {
  return /^(?!I\b)[A-Z](?![A-Z])/.test(sentence) ? sentence.charAt(0).toLowerCase() + sentence.slice(1) : sentence;
}

function internationalBlocks(declaration: Declaration): Block[] {
  const { transfers, recipients } = declaration;
  const blocks: Block[] =
    transfers.length === 0
      ? [promising(paragraph(text('We do not transfer your Personal Information out of the country in which you provide it.')), 'no-transfers')]
      : [
          paragraph(text('By using our Service, you understand and acknowledge that your Personal Information will be transferred as follows:')),
          promising(
            list(
              transfers.map((transfer) => {
                const origin = transfer.from === '*' ? 'your location' : countryInProse(transfer.from);
                const description = transfer.description ? ` ${asSentence(transfer.description)}` : '';
                return [
                  text(`From ${origin} to ${countryInProse(transfer.to)}.${description} `),
                  text(`The transfer is protected by ${safeguardWords[transfer.safeguard]}.`),
                ];
              }),
            ),
            'transfers-recorded',
          ),
        ];
  const countries = [...new Set(recipients.flatMap((recipient) => recipient.countries))];
  if (countries.length > 0) {
    blocks.push(paragraph(text(`The recipients listed in section 3 process Personal Information in ${listWords(countries.map(countryInProse))}.`)));
  }
  return blocks;
}

function choicesBlocks(declaration: Declaration): Block[] {
  const names = new Map(declaration.categories.map((category) => [category.id, category.name]));
  const blocks: Block[] = [
    paragraph(
      text(
        'If you choose not to provide Personal Information that is needed to use some features of our Service, you may be unable to use those features.',
      ),
    ),
  ];
  if (declaration.choices.length > 0) {
    blocks.push(
      paragraph(text('These features need the following information:')),
      promising(
        list(
          declaration.choices.map((choice) => [
            strong(`${choice.name}:`),
            text(' needs your '),
            ...joinInlines(choice.requires.map((id) => [text(names.get(id) ?? id)])),
            text('.'),
          ]),
        ),
        'feature-choices',
      ),
    );
  }
  if (declaration.cookies.some((group) => !group.necessary)) {
    blocks.push(
      paragraph(
        text('You can accept or refuse cookies other than strictly necessary ones at any time, for each category, as described under Cookies in section 1.'),
      ),
    );
  }
  return blocks;
}

function changesBlocks(declaration: Declaration): Block[] {
  const { notify, acceptance } = declaration.changes;
  const consentPurposes = declaration.purposes.filter(needsConsent);
  // Mail goes for material changes only (the notice job's rule), and the page says so.
  const channels = [
    notify.includes('page') ? 'post an updated version on this page' : undefined,
    notify.includes('email') ? 'notify account holders by e-mail of any material change' : undefined,
  ].filter((channel) => channel !== undefined);
  return [
    promising(
      paragraph(
        text(
          `We may change this Privacy Policy at any time. When we do, we will ${listWords(channels)}, unless another type of notice is required by applicable law. Earlier versions remain available for you to compare.`,
        ),
      ),
      'versions-kept',
      ...(notify.includes('email') ? (['change-notice-email'] as const) : []),
    ),
    promising(
      paragraph(
        text(
          acceptance === 'continued-use'
            ? `By continuing to use our Service or providing us with Personal Information after we have posted an updated Privacy Policy, or notified you by other means, you consent to the revised Privacy Policy${consentPurposes.length > 0 ? ', except where we rely on your consent' : ''}.`
            : 'We will ask you to accept a revised Privacy Policy before it applies to you; until you do, we keep handling your Personal Information under the version you last accepted.',
        ),
      ),
      acceptance === 'continued-use' ? 'acceptance-continued-use' : 'acceptance-explicit',
    ),
    ...(consentPurposes.length > 0
      ? [
          promising(
            paragraph(
              text(
                `Where we rely on your consent (${listWords(consentPurposes.map((purpose) => purposeInProse(purpose.description)))}), accepting a revised Privacy Policy, or continuing to use our Service, never counts as that consent: we use your Personal Information for those purposes only once you have said yes to each of them, and you may withdraw that consent at any time, as easily as you gave it.`,
              ),
            ),
            'consent-not-by-acceptance',
          ),
        ]
      : []),
  ];
}
