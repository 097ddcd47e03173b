/**
 * The consent model follows the visitor: in the United States notice with opt-out (the
 * declared cookies on until refused, GPC counting as an opt-out), in Europe opt-in
 * (nothing optional before a choice). The country comes from the operator's proxy header
 * here; each decision records the region and the model its banner showed.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium, requireChromium, startVowServer, type VowServer } from './support/browser.js';
import { examplePolicy } from './support/fixtures.js';

requireChromium('the jurisdiction browser tests');

const HOST = 'www.airobotics.test';
const HEADER = 'x-visitor-country';

describe.skipIf(!haveChromium)('the consent model by region, in headless Chromium', () => {
  let vow: VowServer;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    vow = await startVowServer({ VOW_POLICY: examplePolicy, VOW_COUNTRY_HEADER: HEADER });
    browser = await launchChromium([HOST]);
    origin = `http://${HOST}:${vow.port}`;
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await vow.stop();
  });

  async function visitFrom(country: string, options: { gpc?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({ extraHTTPHeaders: { [HEADER]: country, ...(options.gpc ? { 'Sec-GPC': '1' } : {}) } });
    if (options.gpc) await context.addInitScript({ content: "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })" });
    const page = await context.newPage();
    await page.goto(`${origin}/demo/`);
    await page.evaluate('Vow.init()');
    return page;
  }
  const cookieNames = async (page: Page) => (await page.context().cookies()).map((cookie) => cookie.name).sort();
  const updates = (page: Page) =>
    page.evaluate<Record<string, string>[]>(
      "window.dataLayer.filter((entry) => Object.prototype.toString.call(entry) === '[object Arguments]' && entry[0] === 'consent' && entry[1] === 'update').map((entry) => entry[2])",
    );
  async function recorded(page: Page, action: string): Promise<{ region: string | null; consentModel: string | null }> {
    const posted = page.waitForResponse((response) => response.url().endsWith('/v1/consent') && response.request().method() === 'POST');
    await page.locator(`.vow-box [data-vow-action="${action}"]`).click();
    const { subjectId } = (await (await posted).json()) as { subjectId: string };
    const history = await fetch(`http://127.0.0.1:${vow.port}/v1/consent/${subjectId}`, { headers: { authorization: `Bearer ${vow.adminKey}` } });
    const { records } = (await history.json()) as { records: { region: string | null; consentModel: string | null; verified: boolean }[] };
    expect(records.at(-1)?.verified).toBe(true);
    return records.at(-1) ?? { region: null, consentModel: null };
  }

  it('in the US: notice with opt-out, the analytics tag on before any choice, and "reject all" turns it off, recorded as such', async () => {
    const page = await visitFrom('US');
    const banner = page.getByRole('dialog', { name: 'Your privacy choices' });
    await banner.getByText(/You can opt out of them at any time/).waitFor();
    expect(await banner.getByText(/We ask your consent for/).count()).toBe(0);
    await expect.poll(() => cookieNames(page)).toContain('_ga');
    expect(await updates(page)).toMatchObject([{ analytics_storage: 'granted', ad_storage: 'granted' }]);
    expect(await recorded(page, 'reject-all')).toMatchObject({ region: 'US', consentModel: 'opt-out' });
    await expect.poll(() => cookieNames(page)).toEqual(['vow_consent']);
    await page.context().close();
  });

  it('in the US with Global Privacy Control: the signal is an opt-out of advertising, analytics stays on', async () => {
    const page = await visitFrom('US', { gpc: true });
    await page.getByRole('dialog', { name: 'Your privacy choices' }).getByText('Your opt-out preference signal was honored.').waitFor();
    await expect.poll(() => updates(page)).toMatchObject([{ analytics_storage: 'granted', ad_storage: 'denied', ad_user_data: 'denied' }]);
    await page.context().close();
  });

  it('in France: opt-in, nothing optional before a choice, recorded as such', async () => {
    const page = await visitFrom('FR');
    const banner = page.getByRole('dialog', { name: 'Your privacy choices' });
    await banner.getByText('We ask your consent for: Analytics, Advertising.').waitFor();
    expect(await cookieNames(page)).toEqual([]);
    expect(await updates(page)).toEqual([]);
    expect(await recorded(page, 'accept-all')).toMatchObject({ region: 'FR', consentModel: 'opt-in' });
    await expect.poll(() => cookieNames(page)).toContain('_ga');
    await page.context().close();
  });
});
