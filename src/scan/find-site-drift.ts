/**
 * The live site held against the declaration: every cookie it sets must be a declared
 * one (by name or pattern), set only once its category is allowed, and gone after a
 * refusal; every other host it calls must be a declared recipient's (`domains`). What the
 * declaration lists but the site never showed is reported too, as a notice: a cookie may
 * be set only on a rare path (a refused sign-up), so it fails the scan only with `strict`.
 */
import type { CookieCategory, Declaration } from '../policy/declaration.js';
import type { PassObservation, SiteObservation } from './observe-site.js';

export const driftKinds = ['undeclared-cookie', 'cookie-before-consent', 'cookie-after-refusal', 'undeclared-third-party', 'declared-never-seen'] as const;
export type DriftKind = (typeof driftKinds)[number];

export interface Drift {
  kind: DriftKind;
  /** The cookie's name, the host, or the declared cookie or domain. */
  subject: string;
  /** The pass it was seen in, and where. */
  pass?: string;
  page?: string;
  /** What set the cookie, as observed. */
  setBy?: string;
  /** The declared category of the cookie, or recipient of the domain. */
  declaredAs?: string;
  message: string;
}

export interface DriftReport {
  drift: Drift[];
  /** Whether the scan fails, on drift other than `declared-never-seen` (that too with `strict`). */
  failed: boolean;
}

/** The declared category of a cookie name, by exact name or by pattern. */
export function declaredCategoryOf(declaration: Declaration, name: string): CookieCategory | undefined {
  return declaration.cookies.find((group) => group.cookies.some((cookie) => (cookie.pattern ? safeTest(cookie.name, name) : cookie.name === name)));
}

function safeTest(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern).test(name);
  } catch {
    return false;
  }
}

/** Whether `host` (without port) is `domain` or one of its subdomains. */
const within = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

export function findSiteDrift(declaration: Declaration, observation: SiteObservation, options: { strict?: boolean; vowHosts?: readonly string[] } = {}): DriftReport {
  const drift: Drift[] = [];
  const passOf = (name: string) => observation.passes.find((pass) => pass.pass === name);
  const seenUndeclared = new Set<string>();

  for (const pass of observation.passes) {
    for (const cookie of pass.cookies) {
      const category = declaredCategoryOf(declaration, cookie.name);
      if (!category) {
        if (seenUndeclared.has(cookie.name)) continue;
        seenUndeclared.add(cookie.name);
        drift.push({ kind: 'undeclared-cookie', subject: cookie.name, pass: pass.pass, page: cookie.page, setBy: cookie.setBy, message: `cookie ${cookie.name} (${cookie.domain}) is in no declared cookie category` });
        continue;
      }
      if (category.necessary) continue;
      if (pass.pass === 'before-choice') {
        drift.push({ kind: 'cookie-before-consent', subject: cookie.name, pass: pass.pass, page: cookie.page, setBy: cookie.setBy, declaredAs: category.id, message: `cookie ${cookie.name} (${category.name}) was set before any choice` });
      } else if (refusedIn(pass, category)) {
        drift.push({
          kind: 'cookie-after-refusal',
          subject: cookie.name,
          pass: pass.pass,
          page: cookie.page,
          setBy: cookie.setBy,
          declaredAs: category.id,
          message: `cookie ${cookie.name} (${category.name}) was set ${pass.pass === 'gpc' ? 'though Global Privacy Control refuses its category' : 'after "reject all"'}`,
        });
      }
    }
  }

  const vowHosts = new Set(options.vowHosts ?? []);
  const hostOf = (host: string) => host.replace(/:\d+$/, '');
  const reported = new Set<string>();
  const contacted = new Set<string>();
  for (const pass of observation.passes) {
    for (const request of pass.thirdParty) {
      const host = hostOf(request.host);
      contacted.add(host);
      if (vowHosts.has(request.host) || vowHosts.has(host) || reported.has(host)) continue;
      const recipient = declaration.recipients.find((candidate) => candidate.domains.some((domain) => within(host, domain)));
      if (recipient) continue;
      reported.add(host);
      drift.push({ kind: 'undeclared-third-party', subject: host, pass: pass.pass, page: request.page, message: `${host} is called by the site, and no declared recipient lists it among its domains` });
    }
  }

  // Seen at all, in the pass that allows everything: what the declaration lists that never showed.
  const accepted = passOf('after-accept');
  const cookiesSeen = observation.passes.flatMap((pass) => pass.cookies.map((cookie) => cookie.name));
  for (const group of declaration.cookies) {
    for (const cookie of group.cookies) {
      const seen = cookiesSeen.some((name) => (cookie.pattern ? safeTest(cookie.name, name) : cookie.name === name));
      if (!seen && accepted) drift.push({ kind: 'declared-never-seen', subject: cookie.name, declaredAs: group.id, message: `declared cookie ${cookie.name} (${group.name}) was never seen, even after "accept all"` });
    }
  }
  for (const recipient of declaration.recipients) {
    for (const domain of recipient.domains) {
      if (![...contacted].some((host) => within(host, domain)) && accepted) {
        drift.push({ kind: 'declared-never-seen', subject: domain, declaredAs: recipient.id, message: `${domain} (${recipient.name}) was never called, even after "accept all"` });
      }
    }
  }
  const failed = drift.some((item) => item.kind !== 'declared-never-seen' || options.strict === true);
  return { drift, failed };
}

/** Whether the pass refused the category: "reject all" refuses every optional one, GPC those treated as sale, sharing or advertising. */
function refusedIn(pass: PassObservation, category: CookieCategory): boolean {
  if (pass.pass === 'after-reject') return true;
  if (pass.pass === 'gpc') return category.treatedAs.length > 0;
  return false;
}
