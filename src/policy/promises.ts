/**
 * The kinds of promise the rendered page can make, each a statement that running Vow
 * keeps. The builders tag the block that states one; the HTML page carries the tags
 * (`data-promises`), and the conformance suite (test/conformance) holds one check per
 * kind, run through the HTTP API against every page that states it. A new statement the
 * renderer can make needs a kind here, and a kind needs a check: the suite's table of
 * checks is typed by this list, so a kind without a check does not compile.
 */
export const promiseKinds = [
  // §1 Personal information we collect
  'declared-fields-only',
  'retention-period',
  'technical-on-declared-basis',
  'cookies-with-consent',
  'opt-out-cookies',
  'dnt-honored',
  'dnt-ignored',
  'gpc-honored',
  'gpc-ignored',
  // §2 How we use personal information
  'purpose-limited-use',
  'consent-based-purposes',
  'consent-only-collection',
  'aggregated-statistics',
  'statistics-not-published',
  'statistics-with-consent',
  // §3 Sharing and disclosure
  'no-sharing',
  'declared-recipients-only',
  'legal-grounds',
  // §4 Contact and updating
  'rights-requests',
  // §5 Children
  'minimum-age',
  'child-report-deletion',
  'all-ages',
  // §6 Links to other websites
  'link-notice',
  // §8 International users
  'transfers-recorded',
  'no-transfers',
  // §9 Your choices
  'feature-choices',
  // §10 Changes to the privacy policy
  'versions-kept',
  'change-notice-email',
  'acceptance-continued-use',
  'acceptance-explicit',
  'consent-not-by-acceptance',
] as const;

export type PromiseKind = (typeof promiseKinds)[number];

/** The tags of one block, as the HTML page writes them (`data-promises="a b"`). */
export function promiseAttribute(kinds: readonly PromiseKind[] | undefined): string {
  return kinds === undefined || kinds.length === 0 ? '' : ` data-promises="${kinds.join(' ')}"`;
}

/** The promise kinds a served page states, read back from its `data-promises` attributes. */
export function promisesOnPage(html: string): Set<string> {
  return new Set([...html.matchAll(/data-promises="([^"]*)"/g)].flatMap((match) => (match[1] ?? '').split(' ').filter((kind) => kind !== '')));
}
