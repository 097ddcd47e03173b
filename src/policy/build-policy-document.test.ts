import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { referenceSectionTitles } from '../../test/support/fixtures.js';
import { buildPolicyDocument } from './build-policy-document.js';
import { checkDeclaration } from './check-declaration.js';
import { Declaration } from './declaration.js';
import type { Block, PolicyDocument, Section } from './policy-document.js';

const exampleText = readFileSync(new URL('../../examples/airobotics/vow.policy.yaml', import.meta.url), 'utf8');
const example = Declaration.parse(parse(exampleText));
const meta = { version: 3, lastUpdated: '2025-06-01' };

const sectionTitles = referenceSectionTitles;

/** A variant of the example; the example itself is never mutated. */
function variant(change: (declaration: Declaration) => void): Declaration {
  const copy = structuredClone(example);
  change(copy);
  return copy;
}

/** Drops categories and every reference to them, as an author would, so the result still checks. */
function withoutCategories(declaration: Declaration, ids: readonly string[]): Declaration {
  const keep = (id: string) => !ids.includes(id);
  const copy = structuredClone(declaration);
  copy.categories = copy.categories.filter((category) => keep(category.id));
  copy.cookies = copy.cookies.map((group) => ({ ...group, collects: group.collects.filter(keep) }));
  copy.recipients = copy.recipients
    .map((recipient) => ({
      ...recipient,
      receives: recipient.receives
        .map((receipt) => ({ ...receipt, categories: receipt.categories.filter(keep) }))
        .filter((receipt) => receipt.categories.length > 0),
    }))
    .filter((recipient) => recipient.receives.length > 0);
  copy.choices = copy.choices
    .map((choice) => ({ ...choice, requires: choice.requires.filter(keep) }))
    .filter((choice) => choice.requires.length > 0);
  return copy;
}

function blockText(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return block.content.map((inline) => inline.text).join('');
    case 'list':
      return block.items.map((item) => item.map((inline) => inline.text).join('')).join('\n');
    case 'table':
      return [block.caption, block.head.join(' | '), ...block.rows.map((row) => row.map((cell) => cell.map((inline) => inline.text).join('')).join(' | '))].join('\n');
  }
}

const sectionText = (section: Section | undefined) => (section ? section.blocks.map(blockText).join('\n') : '');
const documentText = (doc: PolicyDocument) => [doc.title, doc.intro.map((inline) => inline.text).join(''), ...doc.sections.map(sectionText)].join('\n');

function section(doc: PolicyDocument, number: number): string {
  return sectionText(doc.sections.find((entry) => entry.number === number));
}

const build = (declaration: Declaration = example) => buildPolicyDocument(declaration, meta);

describe('the AIRobotics example declaration', () => {
  it('validates against the schema', () => {
    const result = Declaration.safeParse(parse(exampleText));
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
  });

  it('passes the consistency checks', () => {
    const { errors, warnings } = checkDeclaration(example);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('the policy document', () => {
  it('has the ten sections of the reference policy, in order, with stable ids', () => {
    const doc = build();
    expect(doc.sections.map((entry) => entry.title)).toEqual(sectionTitles);
    expect(doc.sections.map((entry) => entry.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(doc.sections[3]?.id).toBe('how-to-contact-us-updating-your-information');
    expect(new Set(doc.sections.map((entry) => entry.id)).size).toBe(10);
  });

  it('carries the organization, version and date it was published with', () => {
    const doc = build();
    expect(doc.organization).toBe('AIRobotics Group');
    expect(doc.title).toContain('AIRobotics Group');
    expect(doc.version).toBe(3);
    expect(doc.lastUpdated).toBe('2025-06-01');
    expect(buildPolicyDocument(example, { version: null, lastUpdated: null }).version).toBeNull();
  });

  it('introduces the organization, its affiliates and the scope of the Site and the Services', () => {
    const intro = build().intro.map((inline) => inline.text).join('');
    expect(intro).toContain('We at AIRobotics Group (together with our affiliates, “AIRobotics”');
    expect(intro).toContain(example.scope.site);
    expect(intro).toContain(example.scope.services);
    const alone = variant((declaration) => {
      declaration.organization.affiliates = false;
    });
    expect(build(alone).intro.map((inline) => inline.text).join('')).not.toContain('affiliates, “');
  });

  it('takes the organization from the declaration, never from the reference text', () => {
    const acme = variant((declaration) => {
      declaration.organization = { name: 'Acme Corp', shortName: 'Acme', contactEmail: 'privacy@acme.test', affiliates: false };
    });
    const doc = build(acme);
    expect(section(doc, 5)).toContain('Acme does not knowingly collect');
    expect(section(doc, 4)).toContain('privacy@acme.test');
    expect(section(doc, 4)).not.toContain('jade.cong@qq.com');
  });
});

describe('1. Personal information we collect', () => {
  it('states every declared category by name, with its description and how long it is kept', () => {
    const text = section(build(), 1);
    for (const category of example.categories) {
      expect(text).toContain(`${category.name}:`);
      expect(text).toContain(category.description);
    }
    expect(text).toContain('We keep it for 1 year after you close your account.');
    expect(text).toContain('We keep it for 90 days after we collect it.');
  });

  it('groups information as provided by you, from social media pages and received automatically', () => {
    const text = section(build(), 1);
    const order = [
      'Personal Information You Provide:',
      'Account Information:',
      'Communication Information:',
      'Personal Information We Collect Through Our Social Media Pages:',
      'Social Information:',
      'Personal Information We Receive Automatically From Your Use of the Services:',
      'Log data:',
      'Usage data:',
      'Device information:',
      'Cookies:',
      'Cookies we use',
      'Online Tracking and Do Not Track Signals:',
    ];
    const positions = order.map((statement) => text.indexOf(statement));
    expect(positions.every((position) => position >= 0), JSON.stringify(positions)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('links every social media page', () => {
    const first = build().sections[0];
    const links = first?.blocks.flatMap((block) => (block.kind === 'paragraph' ? block.content : [])).filter((inline) => inline.kind === 'link');
    for (const page of example.socialPages) {
      expect(links).toContainEqual({ kind: 'link', text: page.name, href: page.url });
    }
  });

  it('says that aggregate social media analytics do not identify you', () => {
    expect(section(build(), 1)).toContain('This information is aggregated and does not identify you.');
  });

  it('lists every cookie with its category, duration and whether it is necessary', () => {
    const table = build().sections[0]?.blocks.find((block) => block.kind === 'table');
    expect(table?.kind === 'table' && table.head).toEqual(['Category', 'Cookie', 'Set by and why', 'Duration', 'Necessary']);
    const text = table ? blockText(table) : '';
    expect(text).toContain('Strictly necessary | vow_consent | AIRobotics (first party): Remembers your cookie choices. | 1 year | Yes');
    expect(text).toContain('Analytics | _ga | Google Analytics: Distinguishes visitors. | 2 years | No');
    expect(text).toContain('^_ga_ (name pattern)');
    expect(text).toContain('Advertising | none set at present');
  });

  it('says which cookies need consent and that advertising cookies may be a sale or sharing', () => {
    const text = section(build(), 1);
    expect(text).toContain('Cookies in the Strictly necessary category are set without asking');
    expect(text).toContain('We set cookies in the Analytics and Advertising categories only with your consent');
    expect(text).toContain('Cookies in the Advertising category amount to a “sale” or “sharing” of Personal Information');
  });

  it('states that the Site does not respond to Do Not Track when the declaration ignores it', () => {
    const text = section(build(), 1);
    expect(text).toContain(
      'Our Site currently does not respond to “Do Not Track” (“DNT”) signals and operates as described in this Privacy Policy whether or not a DNT signal is received.',
    );
  });

  it('states that Do Not Track is an opt-out when the declaration honors it', () => {
    const text = section(build(variant((declaration) => { declaration.signals.doNotTrack = 'honor'; })), 1);
    expect(text).not.toContain('does not respond to “Do Not Track”');
    expect(text).toContain('Our Site responds to “Do Not Track” (“DNT”) signals');
    expect(text).toContain('opt out');
  });

  it('states how Global Privacy Control is treated', () => {
    expect(section(build(), 1)).toContain('We honor the Global Privacy Control (“GPC”) signal');
    const ignored = build(variant((declaration) => { declaration.signals.globalPrivacyControl = 'ignore'; }));
    expect(section(ignored, 1)).toContain('does not respond to Global Privacy Control');
    expect(section(ignored, 1)).not.toContain('We honor the Global Privacy Control');
  });

  it('says nothing of social media pages when no social information is declared', () => {
    const smaller = withoutCategories(example, ['social', 'social-analytics']);
    expect(checkDeclaration(smaller).errors).toEqual([]);
    const text = section(build(smaller), 1);
    expect(text).not.toContain('Social Media Pages');
    expect(text).not.toContain('Social Information');
  });

  it('says nothing of analytics products when no analytics category is declared', () => {
    const smaller = withoutCategories(example, ['analytics']);
    expect(checkDeclaration(smaller).errors).toEqual([]);
    const analytics = example.categories.find((category) => category.id === 'analytics');
    expect(analytics).toBeDefined();
    const text = documentText(build(smaller));
    expect(text).not.toContain(analytics?.description);
  });

  it('says nothing of information you provide when none is declared', () => {
    const smaller = withoutCategories(example, ['account', 'communication']);
    expect(section(build(smaller), 1)).not.toContain('Personal Information You Provide');
  });
});

describe('2. How we use personal information', () => {
  it('lists every purpose with its legal basis in plain words', () => {
    const text = section(build(), 2);
    for (const purpose of example.purposes) expect(text).toContain(purpose.description);
    expect(text).toContain('To provide, administer, maintain, improve and/or analyze the Services. Legal basis: performance of our contract with you.');
    expect(text).toContain('Legal basis: compliance with a legal obligation.');
  });

  it('says for each category which purposes it serves and how long it is kept', () => {
    const text = section(build(), 2);
    expect(text).toContain('Cookies | To provide, administer, maintain, improve and/or analyze the Services; To prevent fraud');
    expect(text).toContain('Log data |');
    expect(text).toContain('| 90 days after we collect it');
  });

  it('describes aggregated information, and that it may be published, only when declared', () => {
    expect(section(build(), 2)).toContain('Aggregated Information.');
    expect(section(build(), 2)).toContain('publish such aggregated information');
    const unpublished = build(variant((declaration) => { declaration.aggregation = { purposes: ['research'], publish: false }; }));
    expect(section(unpublished, 2)).toContain('We do not share aggregated information with third parties or publish it.');
    const none = build(variant((declaration) => {
      delete declaration.aggregation;
    }));
    expect(section(none, 2)).not.toContain('Aggregated Information');
  });
});

describe('3. Sharing and disclosure of personal information', () => {
  it('names every kind of service provider as the reference policy words it', () => {
    const text = section(build(), 3);
    for (const words of [
      'hosting services',
      'cloud services',
      'other information technology services',
      'event management services',
      'email communication and newsletter services',
      'advertising and marketing services',
      'web analytics services',
    ]) {
      expect(text).toContain(words);
    }
  });

  it('describes every situation in which information is shared', () => {
    const text = section(build(), 3);
    for (const label of ['Vendors and Service Providers:', 'Business Transfers:', 'Legal Requirements:', 'Affiliates:', 'Other Users:']) {
      expect(text).toContain(label);
    }
    expect(text).toContain('under common control with AIRobotics');
  });

  it('tells who receives which information, for which purpose, and where', () => {
    const text = section(build(), 3);
    for (const recipient of example.recipients) expect(text).toContain(recipient.name);
    expect(text).toContain('E-mail and newsletter service | Provider of email communication and newsletter services | Account Information and Communication Information | To communicate with you | United States');
  });

  it('leaves out situations the declaration does not list', () => {
    const noUsers = build(variant((declaration) => { declaration.recipients = declaration.recipients.filter((recipient) => recipient.kind !== 'other-users'); }));
    expect(section(noUsers, 3)).not.toContain('Other Users:');
    const nobody = build(variant((declaration) => { declaration.recipients = []; }));
    expect(section(nobody, 3)).toBe('We do not share your Personal Information with third parties.');
  });
});

describe('4. How to contact us; 5. Children', () => {
  it('gives the contact e-mail as a mailto link', () => {
    const blocks = build().sections[3]?.blocks ?? [];
    const links = blocks.flatMap((block) => (block.kind === 'paragraph' ? block.content : [])).filter((inline) => inline.kind === 'link');
    expect(links).toContainEqual({ kind: 'link', text: 'jade.cong@qq.com', href: 'mailto:jade.cong@qq.com' });
  });

  it('refuses children under the declared minimum age and says whom to tell', () => {
    const text = section(build(), 5);
    expect(text).toContain('not directed to children who are under the age of 13');
    expect(text).toContain('AIRobotics does not knowingly collect Personal Information from children under the age of 13');
    expect(text).toContain('jade.cong@qq.com');
    expect(section(build(variant((declaration) => { declaration.minimumAge = 16; })), 5)).toContain('under the age of 16');
  });
});

describe('6. Links to other websites; 7. Security', () => {
  it('lists the social media pages and other sites, and the notice shown before leaving', () => {
    const text = section(build(), 6);
    for (const page of example.socialPages) expect(text).toContain(page.name);
    expect(text).toContain('All About Cookies');
    expect(text).toContain('Before you follow a link to a Third Party Site');
    expect(section(build(variant((declaration) => { declaration.links.notice = false; })), 6)).not.toContain('Before you follow a link');
  });

  it('lists every security measure', () => {
    const text = section(build(), 7);
    for (const measure of example.security.measures) expect(text).toContain(measure);
  });

  it('states the declaration’s warning about e-mail after the measures, and none when it has none', () => {
    const full = (change: (declaration: Declaration) => void) => section(build(variant(change)), 7).split('\n').at(-1);
    expect(section(build(), 7)).toContain(
      'However, no Internet or e-mail transmission is ever fully secure or error free. In particular, e-mail sent to or from us may not be secure. Therefore, you should take special care in deciding what information you send to us via the Service or e-mail. In addition, we are not responsible for circumvention',
    );
    expect(full((declaration) => { delete declaration.security.emailWarning; })).toBe(
      'We are not responsible for circumvention of any privacy settings or security measures contained on the Service, or third party websites.',
    );
    // The warning is written to stand alone; the page continues a sentence with it, keeping a name's capitals.
    expect(full((declaration) => { declaration.security.emailWarning = 'E-mail to us is not encrypted.'; })).toMatch(/^However, e-mail to us is not encrypted\. In addition/);
    expect(full((declaration) => { declaration.security.emailWarning = 'AIRobotics cannot read encrypted mail.'; })).toMatch(/^However, AIRobotics cannot/);
  });
});

describe('8. International users', () => {
  it('names the destination country and the safeguard in plain words', () => {
    const text = section(build(), 8);
    expect(text).toContain('From your location to the United States.');
    expect(text).toContain('standard contractual clauses approved by the European Commission');
    expect(text).toContain('The recipients listed in section 3 process Personal Information in the United States.');
  });

  it('names countries, not codes', () => {
    const text = section(build(variant((declaration) => { declaration.transfers = [{ from: 'DE', to: 'JP', safeguard: 'adequacy-decision' }]; })), 8);
    expect(text).toContain('From Germany to Japan.');
  });
});

describe('9. Your choices; 10. Changes to the privacy policy', () => {
  it('says which information each feature needs', () => {
    const text = section(build(), 9);
    expect(text).toContain('Account dashboard: needs your Account Information.');
    expect(text).toContain('Personalised content: needs your Usage data.');
  });

  it('falls back to the general statement when no feature is declared', () => {
    const text = section(build(variant((declaration) => { declaration.choices = []; })), 9);
    expect(text).toContain('you may be unable to use those features');
    expect(text).not.toContain('These features need');
  });

  it('says how changes are announced and accepted', () => {
    const text = section(build(), 10);
    expect(text).toContain('post an updated version on this page and notify account holders by e-mail of any material change');
    expect(text).toContain('By continuing to use our Service');
    const explicit = section(build(variant((declaration) => { declaration.changes = { notify: ['email'], acceptance: 'explicit' }; })), 10);
    expect(explicit).not.toContain('By continuing to use our Service');
    expect(explicit).not.toContain('on this page');
    expect(explicit).toContain('We will ask you to accept a revised Privacy Policy');
  });
});
