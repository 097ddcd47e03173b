/**
 * What a live site really does, seen through headless Chromium (Debian's, driven by
 * playwright-core): up to `pages` pages of one origin, crawled from the start URL, in four
 * passes — before any choice, after "reject all", after "accept all" (operating Vow's
 * banner as a visitor would, by its buttons' `data-vow-action`), and "accept all" with
 * Global Privacy Control on. Every cookie is noted with what set it (a response's `Set-Cookie`, or the
 * script whose `document.cookie` write it was), with the storage keys and each request to
 * another host. Nothing is judged here: `find-site-drift.ts` holds it against the declaration.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const scanPasses = ['before-choice', 'after-reject', 'after-accept', 'gpc'] as const;
export type ScanPass = (typeof scanPasses)[number];

export interface SeenCookie {
  name: string;
  domain: string;
  /** Seconds since the epoch; -1 for a session cookie. */
  expires: number;
  /** The page it was first seen on. */
  page: string;
  /** `response <url>` for a Set-Cookie header, `script <url>` for a document.cookie write, or `unknown`. */
  setBy: string;
}

export interface SeenRequest {
  host: string;
  page: string;
  /** A request for Vow's SDK (`/sdk/vow.js`): its host is Vow's, not a third party's. */
  sdk: boolean;
}

export interface PassObservation {
  pass: ScanPass;
  pages: string[];
  cookies: SeenCookie[];
  localStorage: string[];
  sessionStorage: string[];
  thirdParty: SeenRequest[];
  /** Whether Vow's banner was found and operated (for the reject and accept passes). */
  bannerOperated: boolean;
  screenshot?: string;
}

export interface SiteObservation {
  start: string;
  scannedAt: string;
  passes: PassObservation[];
}

export interface ObserveOptions {
  start: URL;
  pages: number;
  chromium: string;
  /** Where screenshots go (one per pass, of the start page). */
  screenshots?: string;
  /** Host names mapped to 127.0.0.1 (tests and local sites). */
  hostRules?: readonly string[];
}

const PAGE_TIMEOUT_MS = 15_000;

/** Notes every document.cookie write with the script that made it, before any of the page's own scripts run. */
const cookieWatch = `(() => {
  const descriptor = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (!descriptor || !descriptor.set) return;
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true,
    get() { return descriptor.get.call(this); },
    set(value) {
      const frames = (new Error().stack || '').split('\\n').slice(2);
      const source = frames.map((line) => (/(https?:\\/\\/[^\\s)]+?):\\d+:\\d+/.exec(line) || [])[1]).find(Boolean);
      try { window.__vowScanCookie(String(value), source || '', location.href); } catch (error) {}
      return descriptor.set.call(this, value);
    },
  });
})();`;

export async function observeSite(options: ObserveOptions): Promise<SiteObservation> {
  const browser = await chromium.launch({
    executablePath: options.chromium,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(options.hostRules && options.hostRules.length > 0 ? [`--host-resolver-rules=${options.hostRules.map((host) => `MAP ${host} 127.0.0.1`).join(', ')}`] : []),
    ],
  });
  try {
    if (options.screenshots !== undefined) await mkdir(options.screenshots, { recursive: true });
    // The first pass finds the pages; the others visit the same ones, so that they compare,
    // at the same time, each in a browser context of its own (its own cookies).
    const first = await observePass(browser, options, 'before-choice', undefined);
    const passes = [first, ...(await Promise.all(scanPasses.slice(1).map((pass) => observePass(browser, options, pass, first.pages))))];
    return { start: options.start.href, scannedAt: new Date().toISOString(), passes };
  } finally {
    await browser.close();
  }
}

async function observePass(browser: Browser, options: ObserveOptions, pass: ScanPass, pages: readonly string[] | undefined): Promise<PassObservation> {
  const gpc = pass === 'gpc';
  const context: BrowserContext = await browser.newContext({ ...(gpc ? { extraHTTPHeaders: { 'Sec-GPC': '1' } } : {}) });
  try {
    if (gpc) await context.addInitScript({ content: "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })" });
    await context.addInitScript({ content: cookieWatch });
    const origin = options.start.origin;
    const observation: PassObservation = { pass, pages: [], cookies: [], localStorage: [], sessionStorage: [], thirdParty: [], bannerOperated: false };
    const setBy = new Map<string, string>();
    let current = options.start.href;
    // Every cookie set, even one deleted a moment later (Vow's SDK deletes what is not allowed): it existed, and a tag could read it.
    const written = (line: string, by: string, at: string) => {
      const cookie = parseSetCookie(line, at);
      if (!cookie) return;
      if (!setBy.has(cookie.name)) setBy.set(cookie.name, by);
      if (!observation.cookies.some((known) => known.name === cookie.name && known.domain === cookie.domain)) observation.cookies.push({ ...cookie, page: current, setBy: by });
    };
    await context.exposeFunction('__vowScanCookie', (line: string, source: string, at: string) => {
      written(line, source ? `script ${source}` : 'script (inline)', at);
    });
    const page = await context.newPage();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin !== origin) observation.thirdParty.push({ host: url.host, page: current, sdk: url.pathname.endsWith('/sdk/vow.js') });
    });
    // Set-Cookie is among the headers Playwright reads only asynchronously: read before each page's cookies are.
    const reading: Promise<void>[] = [];
    page.on('response', (response) => {
      reading.push(
        response
          .allHeaders()
          .then((headers) => {
            // Playwright joins the Set-Cookie headers of one response with newlines.
            for (const line of (headers['set-cookie'] ?? '').split('\n')) if (line.trim() !== '') written(line, `response ${response.url()}`, response.url());
          })
          .catch(() => undefined),
      );
    });

    const queue = pages ? [...pages] : [options.start.href];
    const seen = new Set(queue);
    const storage = { local: new Set<string>(), session: new Set<string>() };
    while (queue.length > 0 && observation.pages.length < options.pages) {
      const url = queue.shift() ?? '';
      current = url;
      const answered = await page.goto(url, { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS }).catch(() => null);
      if (!answered) continue;
      observation.pages.push(url);
      await settle(page);
      if (observation.pages.length === 1) {
        // The start page as the visitor first sees it, banner and all.
        if (options.screenshots !== undefined) {
          observation.screenshot = join(options.screenshots, `${pass}.png`);
          await page.screenshot({ path: observation.screenshot });
        }
        // With GPC on, the visitor accepts all: what the signal refuses must stay off all the same.
        if (pass !== 'before-choice') observation.bannerOperated = await operateBanner(page, pass === 'after-reject' ? 'reject-all' : 'accept-all');
      }
      const keys = await page.evaluate<{ local: string[]; session: string[] }>('({ local: Object.keys(localStorage), session: Object.keys(sessionStorage) })').catch(() => ({ local: [], session: [] }));
      for (const key of keys.local) storage.local.add(key);
      for (const key of keys.session) storage.session.add(key);
      await Promise.all(reading.splice(0));
      for (const cookie of await context.cookies()) {
        if (observation.cookies.some((known) => known.name === cookie.name && known.domain === cookie.domain)) continue;
        observation.cookies.push({ name: cookie.name, domain: cookie.domain, expires: cookie.expires, page: url, setBy: setBy.get(cookie.name) ?? 'unknown' });
      }
      if (!pages) {
        for (const link of await sameOriginLinks(page, origin)) {
          if (seen.has(link)) continue;
          seen.add(link);
          queue.push(link);
        }
      }
    }
    // A write's note can arrive after the jar was read: name what set each cookie once all are in.
    await Promise.all(reading.splice(0));
    for (const cookie of observation.cookies) if (cookie.setBy === 'unknown') cookie.setBy = setBy.get(cookie.name) ?? 'unknown';
    observation.localStorage = [...storage.local].sort();
    observation.sessionStorage = [...storage.session].sort();
    return observation;
  } finally {
    await context.close();
  }
}

/**
 * A cookie as written (`name=value; Domain=…; Max-Age=…`), or undefined for a deletion
 * (expired, or no longer alive) or nonsense. The domain defaults to the page's host.
 */
export function parseSetCookie(line: string, at: string): Omit<SeenCookie, 'page' | 'setBy'> | undefined {
  const [pair = '', ...attributes] = line.split(';');
  const name = pair.split('=', 1)[0]?.trim() ?? '';
  if (name === '') return undefined;
  let domain: string;
  try {
    domain = new URL(at).hostname;
  } catch {
    return undefined;
  }
  let expires = -1;
  for (const attribute of attributes) {
    const [key = '', value = ''] = attribute.split('=', 2).map((part) => part.trim());
    const lower = key.toLowerCase();
    if (lower === 'domain' && value !== '') domain = value.replace(/^\./, '');
    else if (lower === 'max-age') expires = Math.floor(Date.now() / 1000) + Number(value);
    else if (lower === 'expires' && expires === -1) expires = Math.floor(Date.parse(value) / 1000);
  }
  if (expires !== -1 && (Number.isNaN(expires) || expires <= Math.floor(Date.now() / 1000))) return undefined;
  return { name, domain, expires };
}

/** Lets late scripts and beacons run: the network idle, or a second, whichever comes first. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout: 1000 }).catch(() => undefined);
}

/** Clicks Vow's banner button, as a visitor would; false when the page shows no Vow banner. */
async function operateBanner(page: Page, action: 'accept-all' | 'reject-all'): Promise<boolean> {
  const button = page.locator(`.vow-box [data-vow-action="${action}"]`).first();
  try {
    await button.waitFor({ state: 'visible', timeout: 5000 });
  } catch {
    return false;
  }
  await button.click();
  await settle(page);
  return true;
}

/** The page's links to pages of the same origin, without fragments, in document order. */
async function sameOriginLinks(page: Page, origin: string): Promise<string[]> {
  const hrefs = await page.evaluate<string[]>('Array.from(document.querySelectorAll("a[href]"), (a) => a.href)').catch(() => []);
  const links: string[] = [];
  for (const href of hrefs) {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      continue;
    }
    if (url.origin !== origin) continue;
    url.hash = '';
    if (!links.includes(url.href)) links.push(url.href);
  }
  return links;
}
