/**
 * The browser SDK in a real browser: headless Chromium (Debian's) loads the demo site as
 * `vow serve` serves it, and what the SDK did is checked in the browser (cookies, the
 * DOM, focus) and in the store (consent records, events). The site is reached as
 * www.airobotics.test, mapped to 127.0.0.1, so cookies on the parent domain are real.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents, type EventData } from '../src/collect/event-data.js';
import { loadConfig } from '../src/config.js';
import { loadDeclaration } from '../src/policy/load-declaration.js';
import { openStore, type Store } from '../src/store/open-store.js';
import { openVault } from '../src/vault/open-vault.js';
import { openSubject } from '../src/vault/subject-store.js';
import type { VaultContext } from '../src/vault/vault-context.js';
import { haveChromium, launchChromium, requireChromium, startVowServer, type VowServer } from './support/browser.js';
import { examplePolicy } from './support/fixtures.js';

requireChromium('the browser tests');

const resultsDir = fileURLToPath(new URL('../test-results/', import.meta.url));
const HOST = 'www.airobotics.test';

interface ConsentAnswer {
  visitorId: string;
  subjectId: string;
  granted: string[];
  refused: string[];
  signalsHonored: string[];
}

interface ConsentHistory {
  records: { granted: string[]; refused: string[]; gpc: boolean; source: string; verified: boolean }[];
}

describe.skipIf(!haveChromium)('the browser SDK in headless Chromium', () => {
  let dataDir: string;
  let origin: string;
  let apiOrigin: string;
  let adminKey: string;
  let browser: Browser | undefined;

  let vow: VowServer | undefined;

  beforeAll(async () => {
    vow = await startVowServer({ VOW_POLICY: examplePolicy });
    dataDir = vow.dataDir;
    origin = `http://${HOST}:${vow.port}`;
    apiOrigin = `http://127.0.0.1:${vow.port}`;
    adminKey = vow.adminKey;
    browser = await launchChromium([HOST]);
    mkdirSync(resultsDir, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await vow?.stop();
  });

  /** A fresh visitor (own cookies); CSP violations and script errors on the page fail the test that opened it. */
  async function visitor(options: { gpc?: boolean; locale?: string } = {}) {
    if (!browser) throw new Error('Chromium did not start');
    const context: BrowserContext = await browser.newContext({
      locale: options.locale ?? 'en-US',
      timezoneId: 'Europe/Paris',
      viewport: { width: 1000, height: 720 },
      ...(options.gpc ? { extraHTTPHeaders: { 'Sec-GPC': '1' } } : {}),
    });
    // Notes each sendBeacon call in sessionStorage, which outlives the page that made it.
    await context.addInitScript({
      content: `const send = Navigator.prototype.sendBeacon;
        Navigator.prototype.sendBeacon = function (url, data) {
          const body = typeof data === 'string' ? JSON.parse(data) : {};
          const calls = JSON.parse(sessionStorage.getItem('beacons') || '[]');
          calls.push({ url, type: typeof data, visitorId: body.visitorId, events: (body.events || []).map((event) => event.name) });
          sessionStorage.setItem('beacons', JSON.stringify(calls));
          return send.call(this, url, data);
        };`,
    });
    if (options.gpc) await context.addInitScript({ content: "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })" });
    // The outbound link of the demo goes nowhere real.
    await context.route('https://example.org/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>elsewhere</title>' }));
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      // Helmet's Cross-Origin-Opener-Policy is ignored on plain http (not localhost): that one is expected.
      const text = message.text();
      // Helmet's Cross-Origin-Opener-Policy is ignored on plain http (not localhost): expected. Failed loads are reported with their URL below.
      if (message.type() === 'error' && !text.startsWith('The Cross-Origin-Opener-Policy header has been ignored') && !text.startsWith('Failed to load resource'))
        problems.push(text);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    });
    page.on('pageerror', (error) => problems.push(error.message));
    // Requests to /v1/events the page made with fetch (Playwright does not see those sendBeacon makes while the page unloads).
    const eventRequests: Request[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/v1/events')) eventRequests.push(request);
    });
    return {
      context,
      page,
      problems,
      eventRequests,
      async open(path = '/demo/') {
        await page.goto(`${origin}${path}`);
        // Settles when the banner is loaded and the stored choices applied (demo.js started it).
        await page.evaluate('Vow.init()');
      },
      cookies: async () => (await context.cookies()).map((cookie) => `${cookie.name}@${cookie.domain}`).sort(),
      /** Waits for the decision the next action posts, and returns what the server recorded. */
      async decision(action: () => Promise<void>): Promise<ConsentAnswer> {
        const response = page.waitForResponse((candidate) => candidate.url().endsWith('/v1/consent') && candidate.request().method() === 'POST');
        await action();
        const answer = await response;
        expect(answer.status()).toBe(201);
        return (await answer.json()) as ConsentAnswer;
      },
      async close() {
        await context.close();
        expect(problems).toEqual([]);
      },
    };
  }

  const activeElement = (page: Page) =>
    page.evaluate<{ text: string; tag: string; inBanner: boolean; layer: string | null }>(
      `(() => { const a = document.activeElement; return { text: (a.textContent || a.getAttribute('value') || '').trim(), tag: a.tagName, inBanner: !!a.closest('.vow-box'), layer: a.closest('[data-vow-layer]')?.getAttribute('data-vow-layer') ?? null }; })()`,
    );

  /** The sendBeacon calls of this tab (noted by the init script of `visitor`). */
  const beaconsSent = async (page: Page): Promise<unknown[]> =>
    JSON.parse((await page.evaluate<string | null>('sessionStorage.getItem("beacons")')) ?? '[]') as unknown[];

  async function history(subjectId: string): Promise<ConsentHistory> {
    const response = await fetch(`${apiOrigin}/v1/consent/${subjectId}`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as ConsentHistory;
  }

  /** The stored events of a subject, opened with its data key. */
  async function eventsOf(subjectId: string): Promise<{ name: string; category: string; data: EventData }[]> {
    const store: Store = await openStore(loadConfig({ VOW_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    try {
      const { declaration } = await loadDeclaration(examplePolicy);
      const vault: VaultContext = await openVault({ db: store.db, dataDir, masterKeys: undefined, declaration });
      const subject = await openSubject(vault, store.db, subjectId);
      if (!subject) return [];
      const rows = await store.db.selectFrom('events').selectAll().where('subject_id', '=', subjectId).orderBy('occurred_at').execute();
      // A row holds the events of one request that share category, name and hour: one entry each.
      return rows.flatMap((row) =>
        openEvents(subject.dataKey, row.id, row.data, row.occurred_at).map((data) => ({ name: row.name, category: row.category, data })),
      );
    } finally {
      await store.close();
    }
  }

  it('shows the banner with only strictly necessary cookies before a choice, in English or French', async () => {
    const v = await visitor();
    await v.open();
    const banner = v.page.getByRole('dialog', { name: 'Your privacy choices' });
    await banner.waitFor();
    expect(await banner.getAttribute('aria-describedby')).toBeTruthy();
    // Accept and reject side by side, alike, on the first layer.
    const accept = banner.getByRole('button', { name: 'Accept all' });
    const reject = banner.getByRole('button', { name: 'Reject all' });
    expect(await accept.getAttribute('class')).toBe(await reject.getAttribute('class'));
    const [acceptBox, rejectBox] = [await accept.boundingBox(), await reject.boundingBox()];
    expect(acceptBox?.height).toBe(rejectBox?.height);
    expect(acceptBox?.y).toBe(rejectBox?.y);
    expect(await banner.getByRole('button', { name: 'Choose' }).isVisible()).toBe(true);
    expect(await banner.getByRole('link', { name: 'Privacy policy' }).getAttribute('href')).toBe(`${origin}/privacy`);
    // Nothing held back ran, nothing but necessary cookies (none yet) was set.
    expect(await v.cookies()).toEqual([]);
    expect(await v.page.getAttribute('html', 'data-analytics-ran')).toBeNull();
    expect(await v.page.locator('iframe.ad').getAttribute('src')).toBeNull();
    expect(await v.page.evaluate('Vow.hasConsent("analytics")')).toBe(false);
    expect(await v.page.evaluate('Vow.hasConsent("necessary")')).toBe(true);
    await v.page.screenshot({ path: join(resultsDir, 'banner.png') });
    await v.close();

    const fr = await visitor({ locale: 'fr-FR' });
    await fr.open();
    const bannerFr = fr.page.getByRole('dialog', { name: 'Vos choix en matière de confidentialité' });
    await bannerFr.getByRole('button', { name: 'Tout refuser' }).waitFor();
    await bannerFr.getByRole('button', { name: 'Choisir' }).click();
    await fr.page.getByRole('group', { name: 'Mesure d’audience' }).getByRole('radio', { name: 'Demander à chaque fois' }).waitFor();
    await fr.page.screenshot({ path: join(resultsDir, 'settings-fr.png') });
    await fr.close();
  });

  it('reject all: no analytics cookie, nothing collected, no usage event stored', async () => {
    const v = await visitor();
    await v.open();
    const answer = await v.decision(() => v.page.getByRole('button', { name: 'Reject all' }).click());
    expect(answer).toMatchObject({ granted: ['necessary'], refused: ['analytics', 'advertising'] });
    await v.page.locator('.vow-box').waitFor({ state: 'detached' });
    await v.page.getByRole('button', { name: 'Open the configurator' }).click();
    await v.page.getByRole('button', { name: 'Download the brochure' }).click();
    expect(await v.page.locator('#track-status').textContent()).toContain('Not recorded');
    expect(await v.page.evaluate('Vow.track("action", { action: "x" })')).toBe(false);
    // The consent cookie holds only the visitor id and the choices.
    const consent = (await v.context.cookies()).find((cookie) => cookie.name === 'vow_consent');
    expect(consent?.value).toBe(`${answer.visitorId}|1|analytics:r|advertising:r`);
    expect(await v.cookies()).toEqual([`vow_consent@${HOST}`]);
    // Leaving the page sends nothing.
    await v.page.goto(`${origin}/privacy`);
    await v.page.waitForTimeout(300);
    expect(await beaconsSent(v.page)).toEqual([]);
    expect(v.eventRequests).toEqual([]);
    expect(await eventsOf(answer.subjectId)).toEqual([]);
    await v.close();
  });

  it('accept analytics: the held-back script runs, usage events are stored with parsed device information', async () => {
    const v = await visitor();
    await v.open();
    await v.page.getByRole('button', { name: 'Choose' }).click();
    const settings = v.page.getByRole('dialog', { name: 'Your privacy choices' });
    await settings.getByRole('group', { name: 'Analytics' }).getByRole('radio', { name: 'Always' }).check();
    const answer = await v.decision(() => settings.getByRole('button', { name: 'Save my choices' }).click());
    expect(answer).toMatchObject({ granted: ['necessary', 'analytics'], refused: ['advertising'] });
    await v.page.waitForSelector('html[data-analytics-ran]');
    expect(await v.cookies()).toEqual([`_ga@.airobotics.test`, `_ga_DEMO@${HOST}`, `vow_consent@${HOST}`]);
    expect(await v.page.evaluate('Vow.hasConsent("analytics")')).toBe(true);
    expect(await v.page.evaluate('Vow.hasConsent("advertising")')).toBe(false);

    await v.page.getByRole('button', { name: 'Open the configurator' }).click();
    await v.page.getByRole('button', { name: 'Download the brochure' }).click();
    expect(await v.page.locator('#track-status').textContent()).toContain('Recorded');
    // Page hide sends the batch with sendBeacon: one call, a string (text/plain), all three events.
    await v.page.goto(`${origin}/privacy`);
    expect(await beaconsSent(v.page)).toEqual([
      { url: `${origin}/v1/events`, type: 'string', visitorId: answer.visitorId, events: ['page_view', 'feature', 'action'] },
    ]);

    let events: Awaited<ReturnType<typeof eventsOf>> = [];
    await expect.poll(async () => (events = await eventsOf(answer.subjectId)).length, { timeout: 10_000 }).toBe(3);
    expect(events.map((event) => [event.category, event.name])).toEqual([
      ['usage-data', 'page_view'],
      ['usage-data', 'feature'],
      ['usage-data', 'action'],
    ]);
    expect(events[1]?.data).toMatchObject({ path: '/demo/', features: ['robot-configurator'], timeZone: 'Europe/Paris' });
    expect(events[2]?.data).toMatchObject({ action: 'download-brochure' });
    for (const event of events) {
      expect(event.data.device?.browser).toMatch(/chrom/i);
      expect(event.data.device?.os).toMatch(/linux/i);
      expect(event.data.device?.deviceType).toBeTruthy();
    }
    await v.close();
  });

  it('GPC on: advertising is refused whatever is clicked, recorded with the signal, and the settings say so', async () => {
    const v = await visitor({ gpc: true });
    await v.open();
    const answer = await v.decision(() => v.page.getByRole('button', { name: 'Accept all' }).click());
    expect(answer).toMatchObject({ granted: ['necessary', 'analytics'], refused: ['advertising'], signalsHonored: ['gpc'] });
    const records = (await history(answer.subjectId)).records;
    expect(records.at(-1)).toMatchObject({ gpc: true, refused: ['advertising'], source: 'banner', verified: true });
    expect(await v.page.evaluate('Vow.hasConsent("advertising")')).toBe(false);
    expect(await v.page.evaluate('Vow.hasConsent("analytics")')).toBe(true);
    expect(await v.page.locator('iframe.ad').getAttribute('src')).toBeNull();
    expect(await v.page.locator('[data-vow-ask]').count()).toBe(0);

    await v.page.getByRole('link', { name: 'Privacy settings' }).click();
    const settings = v.page.getByRole('dialog', { name: 'Your privacy choices' });
    await expect.poll(() => settings.getByRole('status').textContent()).toBe('Your opt-out preference signal was honored.');
    const advertising = settings.getByRole('group', { name: 'Advertising' });
    expect(await advertising.getByRole('radio', { name: 'No' }).isChecked()).toBe(true);
    expect(await advertising.getByRole('radio', { name: 'Always' }).isDisabled()).toBe(true);
    await v.close();
  });

  it('withdraw: the category is recorded as refused and its cookies deleted by name and pattern, on the domain and its parent', async () => {
    const v = await visitor();
    await v.open();
    const given = await v.decision(() => v.page.getByRole('button', { name: 'Accept all' }).click());
    await v.page.waitForSelector('html[data-analytics-ran]');
    await v.context.addCookies([
      { name: '_ga_OTHER', value: '1', domain: '.airobotics.test', path: '/' },
      { name: 'theme', value: 'dark', domain: HOST, path: '/' },
    ]);
    expect(await v.cookies()).toEqual([`_ga@.airobotics.test`, `_ga_DEMO@${HOST}`, `_ga_OTHER@.airobotics.test`, `theme@${HOST}`, `vow_consent@${HOST}`]);

    await v.page.getByRole('link', { name: 'Privacy settings' }).click();
    const withdrawn = await v.decision(() => v.page.getByRole('dialog').getByRole('button', { name: 'Reject all' }).click());
    expect(withdrawn).toMatchObject({ visitorId: given.visitorId, subjectId: given.subjectId, refused: ['analytics', 'advertising'] });
    await expect.poll(() => v.cookies()).toEqual([`theme@${HOST}`, `vow_consent@${HOST}`]);
    expect(await v.page.evaluate('Vow.hasConsent("analytics")')).toBe(false);
    const records = (await history(given.subjectId)).records;
    expect(records.map((record) => record.granted)).toEqual([['necessary', 'analytics', 'advertising'], ['necessary']]);

    // Cookies of a refused category reappearing (another tab, an old script) are deleted on the next page.
    await v.context.addCookies([{ name: '_ga', value: 'again', domain: '.airobotics.test', path: '/' }]);
    await v.open();
    await expect.poll(() => v.cookies()).toEqual([`theme@${HOST}`, `vow_consent@${HOST}`]);
    await v.close();
  });

  it('"ask me each time": an embed of that category asks once / always / no, each time it would load', async () => {
    const v = await visitor();
    await v.open();
    await v.page.getByRole('button', { name: 'Choose' }).click();
    const settings = v.page.getByRole('dialog', { name: 'Your privacy choices' });
    await settings.getByRole('group', { name: 'Advertising' }).getByRole('radio', { name: 'Ask each time' }).check();
    const saved = await v.decision(() => settings.getByRole('button', { name: 'Save my choices' }).click());
    expect(saved.refused).toEqual(['analytics', 'advertising']);
    const ad = v.page.locator('iframe.ad');
    const ask = v.page.getByRole('dialog', { name: 'Advertising: Partner advertisement' });

    await ask.scrollIntoViewIfNeeded();
    await v.page.screenshot({ path: join(resultsDir, 'ask-each-time.png') });
    await ask.getByRole('button', { name: 'Once' }).click();
    await expect.poll(() => ad.getAttribute('src')).toBe('/demo/ad.html');
    expect(await v.page.evaluate('Vow.hasConsent("advertising")')).toBe(false);

    await v.open();
    await ask.getByRole('button', { name: 'No' }).click();
    expect(await ask.count()).toBe(0);
    expect(await ad.getAttribute('src')).toBeNull();

    await v.open();
    const always = await v.decision(() => ask.getByRole('button', { name: 'Always' }).click());
    expect(always).toMatchObject({ granted: ['necessary', 'advertising'], refused: ['analytics'] });
    await expect.poll(() => ad.getAttribute('src')).toBe('/demo/ad.html');

    await v.open();
    await expect.poll(() => ad.getAttribute('src')).toBe('/demo/ad.html');
    expect(await ask.count()).toBe(0);

    // Back to "ask each time"; a prompt on the page gives way when the settings allow the category.
    await v.page.getByRole('link', { name: 'Privacy settings' }).click();
    await settings.getByRole('group', { name: 'Advertising' }).getByRole('radio', { name: 'Ask each time' }).check();
    await v.decision(() => settings.getByRole('button', { name: 'Save my choices' }).click());
    await v.open();
    await ask.waitFor();
    expect(await ad.getAttribute('src')).toBeNull();
    await v.page.getByRole('link', { name: 'Privacy settings' }).click();
    await settings.getByRole('group', { name: 'Advertising' }).getByRole('radio', { name: 'Always' }).check();
    await v.decision(() => settings.getByRole('button', { name: 'Save my choices' }).click());
    await expect.poll(() => ad.getAttribute('src')).toBe('/demo/ad.html');
    expect(await ask.count()).toBe(0);
    await v.close();
  });

  it('keyboard only: focus moves into the banner, Tab reaches every control, the settings trap focus and Escape gives it back', async () => {
    const v = await visitor();
    await v.open();
    await v.page.locator('.vow-box').waitFor();
    expect(await activeElement(v.page)).toMatchObject({ inBanner: true, layer: 'first' });
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      await v.page.keyboard.press('Tab');
      order.push((await activeElement(v.page)).text);
    }
    expect(order).toEqual(['Accept all', 'Reject all', 'Choose']);
    await v.page.keyboard.press('Enter');
    expect(await activeElement(v.page)).toMatchObject({ inBanner: true, layer: 'settings' });

    // Tab to the analytics choices, choose "Always" with the arrow keys, then Tab to Save.
    await v.page.keyboard.press('Tab');
    expect(await activeElement(v.page)).toMatchObject({ tag: 'INPUT' });
    await v.page.keyboard.press('ArrowLeft');
    expect(await v.page.getByRole('group', { name: 'Analytics' }).getByRole('radio', { name: 'Always' }).isChecked()).toBe(true);
    const seen: string[] = [];
    for (let i = 0; i < 10 && seen.at(-1) !== 'Save my choices'; i++) {
      await v.page.keyboard.press('Tab');
      const active = await activeElement(v.page);
      expect(active.inBanner).toBe(true);
      seen.push(active.text);
    }
    expect(seen.at(-1)).toBe('Save my choices');
    const answer = await v.decision(() => v.page.keyboard.press('Enter'));
    expect(answer.granted).toEqual(['necessary', 'analytics']);
    await v.page.locator('.vow-box').waitFor({ state: 'detached' });

    // Reopen from the persistent link, by keyboard.
    await v.page.getByRole('link', { name: 'Privacy settings' }).focus();
    await v.page.keyboard.press('Enter');
    expect(await activeElement(v.page)).toMatchObject({ inBanner: true, layer: 'settings' });
    expect(await v.page.getByRole('dialog').getAttribute('aria-modal')).toBe('true');
    // Focus stays inside the modal settings, both ways round.
    for (let i = 0; i < 15; i++) {
      await v.page.keyboard.press(i < 8 ? 'Tab' : 'Shift+Tab');
      expect((await activeElement(v.page)).inBanner).toBe(true);
    }
    await v.page.keyboard.press('Escape');
    expect(await v.page.locator('.vow-box').count()).toBe(0);
    expect(await activeElement(v.page)).toMatchObject({ text: 'Privacy settings', inBanner: false });
    await v.close();
  });

  it('outbound links: rel="noopener noreferrer" and a notice that the other site’s own policy applies', async () => {
    const v = await visitor();
    await v.open();
    await v.decision(() => v.page.getByRole('button', { name: 'Reject all' }).click());
    const link = v.page.locator('#outbound');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    await link.click();
    const notice = v.page.getByRole('alertdialog');
    expect(await notice.textContent()).toContain('The other site’s own privacy policy applies there');
    await notice.getByRole('button', { name: 'Close' }).click();
    expect(v.page.url()).toBe(`${origin}/demo/`);
    expect(await activeElement(v.page)).toMatchObject({ text: 'example.org' });
    await link.click();
    await Promise.all([v.page.waitForURL('https://example.org/**'), notice.getByRole('button', { name: 'Continue' }).click()]);
    await v.close();
  });

  it('asks again after a material policy change (a decision under an older version)', async () => {
    const v = await visitor();
    await v.context.addCookies([{ name: 'vow_consent', value: 'vis_AKKKj2LzZJmKbtQOLyXNig|0|analytics:g|advertising:g', domain: HOST, path: '/' }]);
    await v.open();
    await v.page.getByRole('dialog', { name: 'Your privacy choices' }).waitFor();
    expect(await v.page.locator('[data-vow-layer="first"]').count()).toBe(1);
    expect(await v.page.getAttribute('html', 'data-analytics-ran')).toBeNull();
    expect(await v.page.evaluate('Vow.hasConsent("analytics")')).toBe(false);
    await v.close();
  });

  it('does not honor the consent cookie of an erased visitor: the banner asks again and nothing held back runs', async () => {
    const v = await visitor();
    await v.open();
    const answer = await v.decision(() => v.page.getByRole('button', { name: 'Accept all' }).click());
    await v.page.waitForSelector('html[data-analytics-ran]');
    const erased = await fetch(`${apiOrigin}/v1/subjects/${answer.subjectId}/erase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'request' }),
    });
    expect(erased.status).toBe(200);
    await v.open();
    await v.page.getByRole('dialog', { name: 'Your privacy choices' }).waitFor();
    expect(await v.page.getAttribute('html', 'data-analytics-ran')).toBeNull();
    expect(await v.page.evaluate('Vow.hasConsent("analytics")')).toBe(false);
    expect((await v.context.cookies()).map((cookie) => cookie.name)).not.toContain('vow_consent');
    await v.close();
  });
});
