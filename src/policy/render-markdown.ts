/**
 * The policy as Markdown (CommonMark with GitHub tables), for repositories and
 * documentation sites. Declaration text is escaped so that it always reads as text.
 */
import { type Block, type Inline, type PolicyDocument, isSafeHref } from './policy-document.js';
import { dateWords } from './policy-document-words.js';

export function renderMarkdown(doc: PolicyDocument): string {
  const headings = doc.sections.map((section) => `${section.number}. ${section.title}`);
  const parts = [
    `# ${escapeMarkdown(doc.title)}`,
    versionLine(doc),
    guardLineStart(inlines(doc.intro)),
    '## Contents',
    // Headings carry their number already, so the contents list is not numbered again.
    headings.map((heading) => `- [${escapeMarkdown(heading)}](#${markdownAnchor(heading)})`).join('\n'),
    ...doc.sections.flatMap((section, index) => [`## ${escapeMarkdown(headings[index] ?? section.title)}`, ...section.blocks.map(renderBlock)]),
  ];
  return `${parts.join('\n\n')}\n`;
}

/**
 * The anchor GitHub and most Markdown sites derive from a heading's text: lower case,
 * punctuation dropped, spaces turned into dashes.
 */
export function markdownAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

function versionLine(doc: PolicyDocument): string {
  const parts: string[] = [];
  if (doc.version !== null) parts.push(`Version ${doc.version}`);
  if (doc.lastUpdated !== null) parts.push(`Last updated ${dateWords(doc.lastUpdated)}`);
  return `*${parts.length === 0 ? 'Draft, not yet published' : parts.join(' · ')}*`;
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return guardLineStart(inlines(block.content));
    case 'list':
      return block.items.map((item, index) => `${block.ordered ? `${index + 1}.` : '-'} ${guardLineStart(inlines(item))}`).join('\n');
    case 'table': {
      const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
      return [
        `**${escapeMarkdown(block.caption)}**`,
        '',
        row(block.head.map(escapeMarkdown)),
        row(block.head.map(() => '---')),
        ...block.rows.map((cells) => row(cells.map(inlines))),
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
      return escapeMarkdown(item.text);
    case 'strong':
      return wrap('**', item.text);
    case 'emphasis':
      return wrap('*', item.text);
    case 'link':
      return isSafeHref(item.href) ? `[${escapeMarkdown(item.text)}](${encodeHref(item.href)})` : escapeMarkdown(item.text);
  }
}

/** Emphasis markers must touch the text they wrap, so surrounding spaces stay outside. */
function wrap(marker: string, value: string): string {
  const match = /^(\s*)(.*?)(\s*)$/s.exec(value);
  const [, before = '', inner = '', after = ''] = match ?? [];
  return inner === '' ? escapeMarkdown(value) : `${before}${marker}${escapeMarkdown(inner)}${marker}${after}`;
}

/**
 * Backslash-escapes the characters that start Markdown syntax inline; whitespace is
 * collapsed because a line break inside a list item or table cell would end it.
 */
export function escapeMarkdown(value: string): string {
  return value
    .replace(/\s+/g, ' ')
    .replace(/[\\`*_[\]<>|~#]/g, '\\$&')
    .replace(/&(?=#?[a-z0-9]+;)/gi, '\\&');
}

/** Text at the start of a line could otherwise be read as a heading, list item, quote or rule. */
function guardLineStart(line: string): string {
  return line.replace(/^(\d+)([.)])/, '$1\\$2').replace(/^([-+=])/, '\\$1');
}

/** Parentheses and spaces would end a link destination early. */
function encodeHref(href: string): string {
  return href.replace(/[()\s]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
