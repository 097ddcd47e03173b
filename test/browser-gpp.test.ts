/**
 * The optional IAB GPP script in a real browser: after vow.js, `__gpp` answers at once,
 * and the US national section follows the visitor's choice and Global Privacy Control.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium, requireChromium, startVowServer, type VowServer } from './support/browser.js';
import { examplePolicy } from './support/fixtures.js';

requireChromium('the GPP browser tests');

const HOST = 'www.airobotics.test';

describe.skipIf(!haveChromium)('the IAB GPP string (usnat), in headless Chromium', () => {
  let vow: VowServer;
  let browser: Browser;

  beforeAll(async () => {
    vow = await startVowServer({ VOW_POLICY: examplePolicy, VOW_COUNTRY_HEADER: 'x-visitor-country' });
    browser = await launchChromium([HOST]);
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await vow.stop();
  });

  async function visit(options: { gpc?: boolean; country: string }): Promise<Page> {
    const context = await browser.newContext({ extraHTTPHeaders: { 'x-visitor-country': options.country, ...(options.gpc ? { 'Sec-GPC': '1' } : {}) } });
    if (options.gpc) await context.addInitScript({ content: "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })" });
    const page = await context.newPage();
    await page.goto(`http://${HOST}:${vow.port}/demo/gpp.html`);
    await page.evaluate('Vow.init()');
    return page;
  }
  const field = (page: Page, name: string) => page.evaluate<unknown>(`new Promise((resolve) => __gpp('getField', (value) => resolve(value), 'usnat.${name}'))`);
  const ping = (page: Page) => page.evaluate<{ signalStatus: string; applicableSections: number[]; gppString: string; cmpId: number }>("new Promise((resolve) => __gpp('ping', (value) => resolve(value)))");

  it('answers __gpp: in the US, opted in by notice, then opted out of sale, sharing and targeted advertising by "reject all"', async () => {
    const page = await visit({ country: 'US' });
    await expect.poll(async () => (await ping(page)).signalStatus).toBe('ready');
    expect(await ping(page)).toMatchObject({ applicableSections: [7], cmpId: 0 });
    expect(await field(page, 'SaleOptOut')).toBe(2);
    const before = (await ping(page)).gppString;
    await page.locator('.vow-box [data-vow-action="reject-all"]').click();
    await expect.poll(() => field(page, 'SaleOptOut')).toBe(1);
    expect(await field(page, 'SharingOptOut')).toBe(1);
    expect(await field(page, 'TargetedAdvertisingOptOut')).toBe(1);
    expect(await field(page, 'Gpc')).toBe(false);
    const after = (await ping(page)).gppString;
    expect(after).toMatch(/^DBAB/);
    expect(after).not.toBe(before);
    await page.context().close();
  });

  it('carries Global Privacy Control, and the opt-outs it brings', async () => {
    const page = await visit({ country: 'US', gpc: true });
    await expect.poll(() => field(page, 'Gpc')).toBe(true);
    expect(await field(page, 'SaleOptOut')).toBe(1);
    await page.context().close();
  });
});
