/**
 * The text SQLite and PostgreSQL do not store alike: a NUL (PostgreSQL refuses it, SQLite
 * keeps it) and a lone UTF-16 surrogate, half of a pair with no other half (SQLite keeps
 * its bytes, PostgreSQL stores U+FFFD). A value holding either would not read back as it
 * was written, so it no longer matches its hash or its proof. The HTTP edge refuses such
 * text; the audit log, which records what was refused too, escapes it.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// A separate global twin for replacing: a global pattern's `test` keeps state between calls.
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

export type UnstorableText = 'nul' | 'lone-surrogate';

/** What in `text` the databases would store differently, or undefined when it stores alike everywhere. */
export function findUnstorable(text: string): UnstorableText | undefined {
  if (text.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(text)) return 'lone-surrogate';
  return undefined;
}

const escapeUnit = (unit: string) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `text` with each NUL and lone surrogate written as its JSON escape (`\u0000`, `\ud800`),
 * so that it stores alike on every database. Everything else, 4-byte characters and
 * bidirectional marks included, is kept as it is.
 */
export function escapeUnstorable(text: string): string {
  return text.replaceAll('\u0000', escapeUnit).replace(LONE_SURROGATES, escapeUnit);
}
