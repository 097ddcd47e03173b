/**
 * The rendered policy as a small document model, so that one builder decides what the
 * policy says and each output format (Markdown, HTML) only decides how it looks.
 */
import type { PromiseKind } from './promises.js';

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'strong'; text: string }
  | { kind: 'emphasis'; text: string }
  | { kind: 'link'; text: string; href: string };

export type Block = (
  | { kind: 'paragraph'; content: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }
  /** The first cell of each row names the row (rendered as a row header). */
  | { kind: 'table'; caption: string; head: string[]; rows: Inline[][][] }
) & {
  /** The promises this block states (policy/promises.ts): what the conformance suite checks. */
  promises?: readonly PromiseKind[];
};

export interface Section {
  /** A slug of the title, stable across versions so that links to a section keep working. */
  id: string;
  number: number;
  title: string;
  blocks: Block[];
}

export interface PolicyDocument {
  title: string;
  organization: string;
  /** The published version number, or null for a draft. */
  version: number | null;
  /** ISO date (YYYY-MM-DD) of publication, or null for a draft. */
  lastUpdated: string | null;
  intro: Inline[];
  sections: Section[];
}

export const text = (value: string): Inline => ({ kind: 'text', text: value });
export const strong = (value: string): Inline => ({ kind: 'strong', text: value });
export const emphasis = (value: string): Inline => ({ kind: 'emphasis', text: value });
export const link = (label: string, href: string): Inline => ({ kind: 'link', text: label, href });

export const paragraph = (...content: Inline[]): Block => ({ kind: 'paragraph', content });
/** The block, tagged as stating these promises. */
export const promising = (block: Block, ...promises: PromiseKind[]): Block => ({ ...block, promises: [...(block.promises ?? []), ...promises] });
export const list = (items: Inline[][], ordered = false): Block => ({ kind: 'list', ordered, items });

/** `How to contact us; updating your information` → `how-to-contact-us-updating-your-information`. */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

export function plainText(content: readonly Inline[]): string {
  return content.map((inline) => inline.text).join('');
}

/** Joins phrases as English prose: `a`, `a and b`, `a, b, and c`. */
export function joinInlines(parts: readonly Inline[][], conjunction: 'and' | 'or' = 'and'): Inline[] {
  return parts.flatMap((part, index) => {
    if (index === 0) return part;
    const last = index === parts.length - 1;
    const separator = last ? (parts.length === 2 ? ` ${conjunction} ` : `, ${conjunction} `) : ', ';
    return [text(separator), ...part];
  });
}

/**
 * Only web, mail and same-site links are rendered as links: the schema already
 * insists on https for declared URLs, and the renderers must not trust that alone.
 */
export function isSafeHref(href: string): boolean {
  return /^(https?:\/\/|mailto:|#|\/(?!\/))/i.test(href);
}
