/**
 * The policy as a complete, accessible HTML page. Every piece of text comes from the
 * declaration and goes through `escapeHtml`, so a declaration cannot inject markup.
 */
import { escapeHtml } from './escape-html.js';
import { type Block, type Inline, type PolicyDocument, type Section, isSafeHref } from './policy-document.js';
import { dateWords } from './policy-document-words.js';
import { promiseAttribute } from './promises.js';
import { renderHtmlPage } from './render-html-page.js';

export interface RenderHtmlOptions {
  /** Where the list of published versions lives; no link when absent. */
  versionsHref?: string;
}

export function renderHtml(doc: PolicyDocument, options: RenderHtmlOptions = {}): string {
  const header = [
    '<header>',
    `<h1>${escapeHtml(doc.title)}</h1>`,
    `<p class="meta">${versionLine(doc, options.versionsHref)}</p>`,
    '</header>',
    '<nav aria-label="Table of contents">',
    '<ol>',
    ...doc.sections.map((section) => `<li><a href="#${escapeHtml(section.id)}">${escapeHtml(section.title)}</a></li>`),
    '</ol>',
    '</nav>',
  ].join('\n');
  const main = [`<p>${inlines(doc.intro)}</p>`, ...doc.sections.map(section)].join('\n');
  return renderHtmlPage({ title: doc.title, header, main });
}

function versionLine(doc: PolicyDocument, versionsHref: string | undefined): string {
  const parts: string[] = [];
  if (doc.version !== null) parts.push(`Version ${doc.version}`);
  if (doc.lastUpdated !== null) {
    parts.push(`Last updated <time datetime="${escapeHtml(doc.lastUpdated)}">${escapeHtml(dateWords(doc.lastUpdated))}</time>`);
  }
  if (parts.length === 0) parts.push('Draft, not yet published');
  if (versionsHref !== undefined && isSafeHref(versionsHref)) parts.push(`<a href="${escapeHtml(versionsHref)}">All versions</a>`);
  return parts.join(' · ');
}

function section(entry: Section): string {
  const headingId = `${entry.id}-title`;
  return [
    `<section id="${escapeHtml(entry.id)}" aria-labelledby="${escapeHtml(headingId)}">`,
    `<h2 id="${escapeHtml(headingId)}">${entry.number}. ${escapeHtml(entry.title)}</h2>`,
    ...entry.blocks.map((block, index) => renderBlock(block, `${entry.id}-${index + 1}`)),
    '</section>',
  ].join('\n');
}

function renderBlock(block: Block, id: string): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p${promiseAttribute(block.promises)}>${inlines(block.content)}</p>`;
    case 'list': {
      const tag = block.ordered ? 'ol' : 'ul';
      return `<${tag}${promiseAttribute(block.promises)}>\n${block.items.map((item) => `<li>${inlines(item)}</li>`).join('\n')}\n</${tag}>`;
    }
    case 'table': {
      const captionId = `${id}-caption`;
      const head = block.head.map((cell) => `<th scope="col">${escapeHtml(cell)}</th>`).join('');
      const rows = block.rows.map(
        (row) => `<tr>${row.map((cell, index) => (index === 0 ? `<th scope="row">${inlines(cell)}</th>` : `<td>${inlines(cell)}</td>`)).join('')}</tr>`,
      );
      // A scrollable region must be reachable by keyboard and named for screen readers.
      return [
        `<div class="table-wrap" role="region" aria-labelledby="${escapeHtml(captionId)}" tabindex="0"${promiseAttribute(block.promises)}>`,
        '<table>',
        `<caption id="${escapeHtml(captionId)}">${escapeHtml(block.caption)}</caption>`,
        `<thead><tr>${head}</tr></thead>`,
        `<tbody>\n${rows.join('\n')}\n</tbody>`,
        '</table>',
        '</div>',
      ].join('\n');
    }
  }
}

function inlines(content: readonly Inline[]): string {
  return content.map(inline).join('');
}

function inline(item: Inline): string {
  switch (item.kind) {
    case 'text':
      return escapeHtml(item.text);
    case 'strong':
      return `<strong>${escapeHtml(item.text)}</strong>`;
    case 'emphasis':
      return `<em>${escapeHtml(item.text)}</em>`;
    case 'link':
      return isSafeHref(item.href) ? `<a href="${escapeHtml(item.href)}">${escapeHtml(item.text)}</a>` : escapeHtml(item.text);
  }
}
