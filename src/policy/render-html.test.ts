import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { referenceSectionTitles } from '../../test/support/fixtures.js';
import { buildPolicyDocument } from './build-policy-document.js';
import { Declaration } from './declaration.js';
import type { PolicyDocument } from './policy-document.js';
import { renderHtml } from './render-html.js';
import { renderVersionsHtml } from './render-versions-html.js';

const example = Declaration.parse(parse(readFileSync(new URL('../../examples/airobotics/vow.policy.yaml', import.meta.url), 'utf8')));
const meta = { version: 3, lastUpdated: '2025-06-01' };
const render = (declaration: Declaration = example) => renderHtml(buildPolicyDocument(declaration, meta), { versionsHref: '/privacy/versions' });

/** What a reader sees: tags removed, entities decoded, whitespace collapsed. */
function visibleText(html: string): string {
  return html
    .slice(Math.max(0, html.indexOf('<body>')))
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

const count = (html: string, pattern: RegExp) => [...html.matchAll(pattern)].length;

describe('the policy as an HTML page', () => {
  const html = render();
  const text = visibleText(html);

  it('is a complete HTML5 document in English with a title and a mobile viewport', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<title>AIRobotics Group Privacy Policy</title>');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('has one h1 and one h2 per section, each section labelled by its heading', () => {
    expect(count(html, /<h1[ >]/g)).toBe(1);
    expect(count(html, /<h2[ >]/g)).toBe(10);
    for (const [, id, labelledBy] of html.matchAll(/<section id="([^"]+)" aria-labelledby="([^"]+)">/g)) {
      expect(html).toContain(`<h2 id="${labelledBy}">`);
      expect(id).toBeTruthy();
    }
    expect(count(html, /<section /g)).toBe(10);
  });

  it('lets keyboard users skip to the content', () => {
    expect(html).toMatch(/<a class="skip-link" href="#main">/);
    expect(html).toContain('<main id="main"');
  });

  it('has a table of contents linking to every section, and only to ids that exist', () => {
    const nav = /<nav aria-label="Table of contents">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
    const targets = [...nav.matchAll(/href="#([^"]+)"/g)].map((match) => match[1]);
    const sectionIds = [...html.matchAll(/<section id="([^"]+)"/g)].map((match) => match[1]);
    expect(nav).toContain('<ol>');
    expect(targets).toEqual(sectionIds);
    expect(targets).toHaveLength(10);
  });

  it('shows the version, a machine-readable date and a link to earlier versions', () => {
    expect(html).toContain('Version 3 · Last updated <time datetime="2025-06-01">June 1, 2025</time>');
    expect(html).toContain('<a href="/privacy/versions">All versions</a>');
    const plain = renderHtml(buildPolicyDocument(example, { version: null, lastUpdated: null }));
    expect(plain).not.toContain('All versions');
    expect(plain).not.toContain('<time');
    expect(plain).toContain('Draft, not yet published');
  });

  it('gives every table a caption and header cells with a scope', () => {
    const tables = count(html, /<table>/g);
    expect(tables).toBeGreaterThanOrEqual(3);
    expect(count(html, /<caption id="[^"]+">/g)).toBe(tables);
    expect(html).toContain('<th scope="col">Necessary</th>');
    expect(html).toContain('<th scope="row">Strictly necessary</th>');
  });

  it('states the sections and facts of the example policy', () => {
    const titles = referenceSectionTitles;
    const main = visibleText(html.slice(html.indexOf('<main')));
    const positions = titles.map((title, index) => main.indexOf(`${index + 1}. ${title}`));
    expect(positions.every((position) => position >= 0), JSON.stringify(positions)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const category of example.categories) expect(text).toContain(`${category.name}:`);
    for (const purpose of example.purposes) expect(text).toContain(purpose.description);
    for (const page of example.socialPages) expect(html).toContain(`<a href="${page.url}">${page.name}</a>`);
    expect(html).toContain('<a href="mailto:jade.cong@qq.com">jade.cong@qq.com</a>');
    expect(text).toContain('under the age of 13');
    expect(text).toContain('the United States');
    expect(text).toContain('Our Site currently does not respond to “Do Not Track” (“DNT”) signals');
    expect(text).toContain('email communication and newsletter services');
  });

  it('escapes every piece of declaration text', () => {
    const hostile = structuredClone(example);
    hostile.organization.name = '<script>alert("org")</script>';
    const [category] = hostile.categories;
    const [purpose] = hostile.purposes;
    const [page] = hostile.socialPages;
    if (!category || !purpose || !page) throw new Error('the example has categories, purposes and social pages');
    category.name = '<script>alert(1)</script>';
    category.description = '<img src=x onerror=alert(2)> & "quotes"';
    purpose.description = '<script>alert(3)</script>';
    page.name = '<b>bold</b>';
    page.url = 'https://example.com/"><script>alert(4)</script>';
    const output = render(hostile);
    expect(output).not.toMatch(/<script/i);
    expect(output).not.toContain('<img');
    expect(output).not.toContain('<b>bold');
    expect(output).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(output).toContain('&lt;img src=x onerror=alert(2)&gt; &amp; &quot;quotes&quot;');
    expect(output).toContain('<title>&lt;script&gt;alert(&quot;org&quot;)&lt;/script&gt; Privacy Policy</title>');
  });

  it('never renders a link to a script URL', () => {
    const doc: PolicyDocument = {
      title: 'T',
      organization: 'O',
      version: null,
      lastUpdated: null,
      intro: [{ kind: 'link', text: 'click', href: 'javascript:alert(1)' }],
      sections: [],
    };
    const output = renderHtml(doc, { versionsHref: 'javascript:alert(2)' });
    expect(output).not.toContain('javascript:');
    expect(output).toContain('click');
  });
});

describe('the versions page', () => {
  const versions = [
    { number: 1, hash: 'a'.repeat(64), publishedAt: '2025-01-02T10:00:00.000Z', material: false },
    { number: 3, hash: 'c'.repeat(64), publishedAt: '2025-06-01T10:00:00.000Z', material: true },
    { number: 2, hash: 'b'.repeat(64), publishedAt: '2025-03-02T10:00:00.000Z', material: false },
  ];
  const html = renderVersionsHtml('AIRobotics Group', versions);

  it('is an accessible page in English with one h1 and a skip link', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(count(html, /<h1[ >]/g)).toBe(1);
    expect(html).toContain('href="#main"');
    expect(html).toContain('<a href="/privacy">');
  });

  it('lists every version newest first, each linking to its page', () => {
    const links = [...html.matchAll(/href="\/privacy\?version=(\d+)"/g)].map((match) => Number(match[1]));
    expect(links).toEqual([3, 2, 1]);
    expect(html).toContain('<time datetime="2025-06-01T10:00:00.000Z">June 1, 2025</time>');
  });

  it('marks material changes', () => {
    const items = [...html.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((match) => match[1] ?? '');
    expect(items[0]).toContain('Material change');
    expect(items[1]).not.toContain('Material change');
  });

  it('escapes the organization name and says when nothing is published', () => {
    const empty = renderVersionsHtml('<script>x</script>', []);
    expect(empty).not.toContain('<script>');
    expect(empty).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(empty).toContain('No version of the privacy policy has been published yet.');
  });
});
