import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { buildPolicyDocument, type PolicyMeta } from './build-policy-document.js';
import { Declaration } from './declaration.js';
import { renderMarkdown } from './render-markdown.js';

const example = Declaration.parse(parse(readFileSync(new URL('../../examples/airobotics/vow.policy.yaml', import.meta.url), 'utf8')));
const render = (declaration: Declaration = example, meta: PolicyMeta = { version: 3, lastUpdated: '2025-06-01' }) =>
  renderMarkdown(buildPolicyDocument(declaration, meta));

/** GitHub's heading anchors, written independently of the renderer: lower case, punctuation out, spaces to dashes. */
const githubAnchor = (heading: string) =>
  heading
    .replace(/\\(.)/g, '$1')
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');

describe('the policy as Markdown', () => {
  const markdown = render();

  it('starts with the title and the version it was published as', () => {
    const [title, , versionLine] = markdown.split('\n');
    expect(title).toBe('# AIRobotics Group Privacy Policy');
    expect(versionLine).toBe('*Version 3 · Last updated June 1, 2025*');
    expect(render(example, { version: null, lastUpdated: null })).toContain('*Draft, not yet published*');
  });

  it('has the ten numbered sections of the reference policy, in order', () => {
    const headings = markdown.split('\n').filter((line) => /^## \d+\. /.test(line));
    expect(headings).toEqual([
      '## 1. Personal information we collect',
      '## 2. How we use personal information',
      '## 3. Sharing and disclosure of personal information',
      '## 4. How to contact us; updating your information',
      '## 5. Children',
      '## 6. Links to other websites',
      '## 7. Security',
      '## 8. International users',
      '## 9. Your choices',
      '## 10. Changes to the privacy policy',
    ]);
  });

  it('has a table of contents whose anchors match the section headings', () => {
    const headings = markdown.split('\n').filter((line) => /^## \d+\. /.test(line)).map((line) => line.slice(3));
    const anchors = [...markdown.matchAll(/^- \[[^\]]+\]\(#([^)]+)\)$/gm)].map((match) => match[1]);
    expect(anchors).toHaveLength(10);
    expect(anchors).toEqual(headings.map(githubAnchor));
    expect(anchors[3]).toBe('4-how-to-contact-us-updating-your-information');
  });

  it('states every fact of the example policy', () => {
    for (const category of example.categories) expect(markdown).toContain(`**${category.name}:**`);
    for (const purpose of example.purposes) expect(markdown).toContain(purpose.description);
    for (const words of ['hosting services', 'cloud services', 'other information technology services', 'event management services', 'email communication and newsletter services', 'advertising and marketing services', 'web analytics services']) {
      expect(markdown).toContain(words);
    }
    for (const page of example.socialPages) expect(markdown).toContain(`[${page.name}](${page.url})`);
    expect(markdown).toContain('[jade.cong@qq.com](mailto:jade.cong@qq.com)');
    expect(markdown).toContain('under the age of 13');
    expect(markdown).toContain('United States');
    expect(markdown).toContain('Our Site currently does not respond to “Do Not Track” (“DNT”) signals');
    expect(markdown).toContain('[All About Cookies](https://www.allaboutcookies.org)');
  });

  it('renders every table with the same number of columns in each row', () => {
    const columns = (line: string) => line.split(/(?<!\\)\|/).length;
    const tables = markdown.split('\n\n').filter((block) => block.includes('\n| ---'));
    expect(tables.length).toBeGreaterThanOrEqual(3);
    for (const table of tables) {
      const rows = table.split('\n').filter((line) => line.startsWith('|'));
      expect(new Set(rows.map(columns)).size, table).toBe(1);
    }
    expect(markdown).toContain('| Strictly necessary | vow\\_consent |');
  });

  it('changes the Do Not Track statement when the declaration honors the signal', () => {
    const honoring = render({ ...example, signals: { ...example.signals, doNotTrack: 'honor' } });
    expect(honoring).not.toContain('does not respond to “Do Not Track”');
    expect(honoring).toContain('Our Site responds to “Do Not Track” (“DNT”) signals');
  });

  it('keeps declaration text as text: Markdown syntax in it is escaped', () => {
    const hostile = structuredClone(example);
    const [first] = hostile.categories;
    if (!first) throw new Error('the example has categories');
    first.name = 'Account *bold* [link](https://evil.test) <b>x</b> | pipe';
    first.description = '# not a heading\nand `code` _under_';
    const text = render(hostile);
    expect(text).toContain('**Account \\*bold\\* \\[link\\](https://evil.test) \\<b\\>x\\</b\\> \\| pipe:**');
    expect(text).toContain('\\# not a heading and \\`code\\` \\_under\\_');
    expect(text).not.toContain('[link](https://evil.test)');
    // the table row naming the category still has its three columns
    const row = text.split('\n').find((line) => line.startsWith('| Account'));
    expect(row?.split(/(?<!\\)\|/).length).toBe(5);
  });
});
