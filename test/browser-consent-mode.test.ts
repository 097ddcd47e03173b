/**
 * Google Consent Mode v2 and Tag Manager in a real browser: the demo's tags page runs a
 * Google tag after vow.js, and the dataLayer is read back. The default comes first, with
 * every signal denied but the necessary ones; each choice, withdrawal and honored Global
 * Privacy Control signal brings an update with the declaration's mapping, a `vow_consent`
 * event for Tag Manager, and a call of `Vow.onConsent` listeners.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium, requireChromium, startVowServer, type VowServer } from './support/browser.js';
import { examplePolicy } from './support/fixtures.js';

requireChromium('the Consent Mode browser tests');

const HOST = 'www.airobotics.test';

/** A dataLayer entry as read back: a gtag command (the Arguments object, as a list) or a pushed event. */
type Entry = { command: unknown[] } | { event: Record<string, unknown> };

const NECESSARY = { functionality_storage: 'granted', security_storage: 'granted', personalization_storage: 'denied' };
const ALL_DENIED = { ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied', analytics_storage: 'denied', ...NECESSARY };
const ALL_GRANTED = { ad_storage: 'granted', ad_user_data: 'granted', ad_personalization: 'granted', analytics_storage: 'granted', ...NECESSARY };

describe.skipIf(!haveChromium)('Google Consent Mode v2 from the declaration, in headless Chromium', () => {
  let vow: VowServer;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    vow = await startVowServer({ VOW_POLICY: examplePolicy });
    browser = await launchChromium([HOST]);
    origin = `http://${HOST}:${vow.port}`;
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await vow.stop();
  });

  async function visit(options: { gpc?: boolean; context?: BrowserContext } = {}): Promise<{ page: Page; context: BrowserContext }> {
    const context = options.context ?? (await browser.newContext({ ...(options.gpc ? { extraHTTPHeaders: { 'Sec-GPC': '1' } } : {}) }));
    if (options.gpc && !options.context) await context.addInitScript({ content: "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })" });
    // Listeners registered before anything else of the page runs see every change.
    await context.addInitScript({ content: "window.__changes = []; document.addEventListener('DOMContentLoaded', () => Vow.onConsent((change) => window.__changes.push(change)));" });
    const page = await context.newPage();
    await page.goto(`${origin}/demo/tags.html`);
    await page.evaluate('Vow.init()');
    return { page, context };
  }

  const dataLayer = (page: Page) =>
    page.evaluate<Entry[]>(`window.dataLayer.map((entry) => Object.prototype.toString.call(entry) === '[object Arguments]' ? { command: Array.from(entry) } : { event: entry })`);
  const commands = async (page: Page) => (await dataLayer(page)).flatMap((entry) => ('command' in entry ? [entry.command] : []));
  const updates = async (page: Page) => (await commands(page)).filter((command) => command[0] === 'consent' && command[1] === 'update').map((command) => command[2]);
  const events = async (page: Page) => (await dataLayer(page)).flatMap((entry) => ('event' in entry && entry.event.event === 'vow_consent' ? [entry.event] : []));
  const banner = (page: Page) => page.getByRole('dialog', { name: 'Your privacy choices' });

  it('issues the default before the site’s tag runs: every signal denied but the necessary ones, waiting for the update', async () => {
    const { page, context } = await visit();
    const [regional, first, ...rest] = await commands(page);
    // The opt-out regions' own default (notice with opt-out in the US), then everyone else's.
    expect(regional).toEqual(['consent', 'default', { ...ALL_GRANTED, personalization_storage: 'granted', region: ['US'], wait_for_update: 500 }]);
    expect(first).toEqual(['consent', 'default', { ...ALL_DENIED, wait_for_update: 500 }]);
    const names = rest.map((command) => command[0]);
    expect(names.slice(0, 3)).toEqual(['js', 'config', 'event']);
    // No choice yet: no update.
    expect(await updates(page)).toEqual([]);
    await context.close();
  });

  it('accept all grants what the declaration maps, and tells Tag Manager and the listeners', async () => {
    const { page, context } = await visit();
    await banner(page).getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => updates(page)).toEqual([ALL_GRANTED]);
    expect(await events(page)).toEqual([{ event: 'vow_consent', vow_consent: { necessary: true, analytics: true, advertising: true }, vow_consent_reason: 'choice' }]);
    expect(await page.evaluate('window.__changes.map((change) => change.reason)')).toEqual(['choice']);
    // The next page starts from the stored choice: default, then the update at once.
    await page.reload();
    await page.evaluate('Vow.init()');
    await expect.poll(() => updates(page)).toEqual([ALL_GRANTED]);
    expect((await events(page)).map((event) => event.vow_consent_reason)).toEqual(['stored']);
    await context.close();
  });

  it('reject all denies every signal but the necessary ones', async () => {
    const { page, context } = await visit();
    await banner(page).getByRole('button', { name: 'Reject all' }).click();
    await expect.poll(() => updates(page)).toEqual([ALL_DENIED]);
    expect(await events(page)).toMatchObject([{ vow_consent: { necessary: true, analytics: false, advertising: false } }]);
    await context.close();
  });

  it('a choice per category grants that category’s signals only, and a withdrawal denies them again', async () => {
    const { page, context } = await visit();
    await banner(page).getByRole('button', { name: 'Choose' }).click();
    await banner(page).getByRole('group', { name: 'Analytics' }).getByRole('radio', { name: 'Always' }).check();
    await banner(page).getByRole('button', { name: 'Save my choices' }).click();
    const analyticsOnly = { ...ALL_DENIED, analytics_storage: 'granted' };
    await expect.poll(() => updates(page)).toEqual([analyticsOnly]);

    await page.getByRole('link', { name: 'Privacy settings' }).click();
    await banner(page).getByRole('group', { name: 'Analytics' }).getByRole('radio', { name: 'No' }).check();
    await banner(page).getByRole('button', { name: 'Save my choices' }).click();
    await expect.poll(() => updates(page)).toEqual([analyticsOnly, ALL_DENIED]);
    expect(await page.evaluate('window.__changes.map((change) => change.categories.analytics)')).toEqual([true, false]);
    await context.close();
  });

  it('an honored Global Privacy Control signal is an update before any choice, and keeps advertising denied after accept all', async () => {
    const { page, context } = await visit({ gpc: true });
    await expect.poll(() => updates(page)).toEqual([ALL_DENIED]);
    expect((await events(page)).map((event) => event.vow_consent_reason)).toEqual(['signal']);
    await banner(page).getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(async () => (await updates(page)).length).toBe(2);
    expect((await updates(page))[1]).toEqual({ ...ALL_DENIED, analytics_storage: 'granted' });
    await context.close();
  });
});
