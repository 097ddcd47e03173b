/**
 * The banner and the privacy page's forms work for everyone and tell enough: walked
 * keyboard-only in headless Chromium, with axe-core (`@axe-core/playwright`) run on every
 * state and no violation allowed. axe alone caught none of the bugs these tests were written for: a
 * focus trap Shift+Tab escaped, focus lost to the page after a choice, a French banner
 * without `lang`, a form requiring a field its label called optional, and a wrong code
 * leading to a page with no code field.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.js';
import { loadConfig } from '../src/config.js';
import { haveChromium, launchChromium, requireChromium, startVowServer, type VowServer } from './support/browser.js';
import { examplePolicy } from './support/fixtures.js';

requireChromium('the accessibility browser tests');

const HOST = 'www.airobotics.test';

interface Focused {
  text: string;
  tag: string;
  inDialog: boolean;
}

describe.skipIf(!haveChromium)('the banner and the forms, keyboard-only and under axe-core', () => {
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

  const contexts: BrowserContext[] = [];
  async function open(path: string, options: { locale?: string } = {}): Promise<Page> {
    const context = await browser.newContext({ locale: options.locale ?? 'en-US' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${origin}${path}`);
    if (path.startsWith('/demo/')) await page.evaluate('Vow.init()');
    return page;
  }
  afterAll(async () => {
    for (const context of contexts) await context.close();
  });

  /** Every axe-core rule, on the whole page as it is now: the violations by rule and element. */
  async function violations(page: Page): Promise<string[]> {
    const result = await new AxeBuilder({ page }).analyze();
    return result.violations.flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`));
  }

  const focused = (page: Page) =>
    page.evaluate<Focused>(
      "(() => { const a = document.activeElement; return { text: (a.textContent || '').trim(), tag: a.tagName, inDialog: !!a.closest('[role=dialog]') }; })()",
    );

  /** Tabs forward until `text` has focus, as a keyboard user would; fails after 40 stops. */
  async function tabTo(page: Page, text: string): Promise<void> {
    for (let stop = 0; stop < 40; stop += 1) {
      await page.keyboard.press('Tab');
      if ((await focused(page)).text === text) return;
    }
    throw new Error(`Tab never reached "${text}"`);
  }

  it('first layer: reached by keyboard, no axe violation, and after "Reject all" focus goes to the privacy settings and a status says it was saved', async () => {
    const page = await open('/demo/');
    await page.getByRole('dialog', { name: 'Your privacy choices' }).waitFor();
    expect(await violations(page)).toEqual([]);
    expect(await focused(page)).toMatchObject({ inDialog: true });
    await tabTo(page, 'Reject all');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Your choices are saved.' }).count()).toBe(1);
    expect(await focused(page)).toMatchObject({ text: 'Privacy settings', inDialog: false });
    expect(await violations(page)).toEqual([]);
  });

  it('settings: Shift+Tab from the first control stays inside, the page behind is inert, and "Save" gives focus back with a status', async () => {
    const page = await open('/demo/');
    await page.getByRole('dialog', { name: 'Your privacy choices' }).waitFor();
    await tabTo(page, 'Choose');
    await page.keyboard.press('Enter');
    const settings = page.getByRole('dialog', { name: 'Your privacy choices' });
    await settings.getByRole('button', { name: 'Save my choices' }).waitFor();
    expect(await violations(page)).toEqual([]);
    expect(await page.evaluate('document.querySelector("main").inert')).toBe(true);
    // Focus is on the dialog; Tab reaches the first control, the analytics group's checked radio.
    await page.keyboard.press('Tab');
    const first = await page.evaluate<string>('document.activeElement.closest("fieldset")?.querySelector("legend")?.textContent ?? ""');
    expect(first).toBe('Analytics');
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toMatchObject({ inDialog: true });
    for (let stop = 0; stop < 15; stop += 1) {
      await page.keyboard.press('Shift+Tab');
      expect(await focused(page), `Shift+Tab stop ${stop}`).toMatchObject({ inDialog: true });
    }
    // Keyboard choice: analytics always, then save.
    await page.getByRole('group', { name: 'Analytics' }).getByRole('radio', { name: 'Always' }).focus();
    await page.keyboard.press('Space');
    await tabTo(page, 'Save my choices');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Your choices are saved.' }).count()).toBe(1);
    expect(await page.evaluate('document.querySelector("main").inert')).toBe(false);
    expect(await focused(page)).toMatchObject({ text: 'Privacy settings', inDialog: false });

    // Opened again from the page's link, closed with Escape: focus back on the link.
    await page.keyboard.press('Enter');
    await settings.getByRole('button', { name: 'Save my choices' }).waitFor();
    await page.keyboard.press('Escape');
    expect(await focused(page)).toMatchObject({ text: 'Privacy settings' });
  });

  it('the French banner and settings carry lang="fr", without an axe violation', async () => {
    const page = await open('/demo/?lang=fr', { locale: 'fr-FR' });
    const banner = page.getByRole('dialog', { name: 'Vos choix en matière de confidentialité' });
    await banner.waitFor();
    expect(await page.evaluate('document.querySelector(".vow-root").getAttribute("lang")')).toBe('fr');
    expect(await violations(page)).toEqual([]);
    await banner.getByRole('button', { name: 'Choisir' }).click();
    await page.getByRole('button', { name: 'Enregistrer mes choix' }).waitFor();
    expect(await page.evaluate('document.querySelector(".vow-root").getAttribute("lang")')).toBe('fr');
    expect(await violations(page)).toEqual([]);
  });

  it('the child report form requires what its labels say it requires, and nothing it calls optional', async () => {
    const page = await open('/privacy');
    expect(await violations(page)).toEqual([]);
    const fields = await page.evaluate<{ label: string; required: boolean }[]>(
      `Array.from(document.querySelectorAll('form[action="/privacy/reports/child"] input, form[action="/privacy/reports/child"] textarea')).map((field) => ({ label: document.querySelector('label[for="' + field.id + '"]').textContent, required: field.required }))`,
    );
    for (const field of fields) {
      const optional = /optional|if known/i.test(field.label);
      expect(field.required, field.label).toBe(!optional);
    }
    expect(fields.map((field) => field.required)).toEqual([true, false, true]);
    // Keyboard-only: the details alone are not enough, and the browser says which field is missing.
    await page.locator('#child-details').focus();
    await page.keyboard.type('My son is 9 and has an account.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('child-email');
    expect(page.url()).toBe(`${origin}/privacy`);
  });

  it('a wrong code leads back to the code field, its error beside it, and a new code can be asked for', async () => {
    const page = await open('/privacy');
    await page.locator('#rights-kind').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.type('ada.keyboard@example.com');
    await page.locator('#rights-email').press('Enter');
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    expect(await violations(page)).toEqual([]);
    await page.locator('#verify-code').focus();
    await page.keyboard.type('000000');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Check the code' }).waitFor();
    // Focus is on the field again, which names its error.
    expect(await page.evaluate('document.activeElement.id')).toBe('verify-code');
    expect(await page.locator('#verify-code').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#verify-code-error').textContent()).toMatch(/^the code does not match; \d attempts left$/);
    expect(await violations(page)).toEqual([]);
    await tabTo(page, 'Send me a new code');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    expect(await page.getByText('We sent a new code').count()).toBe(1);
    expect(await page.locator('#verify-code').count()).toBe(1);
    expect(await violations(page)).toEqual([]);
  });

  it('every demo page and the privacy page, banner up and banner answered, have no axe violation', async () => {
    for (const path of ['/demo/', '/demo/preferences.html', '/demo/tags.html', '/demo/gpp.html', '/privacy']) {
      const page = await open(path);
      if (path.startsWith('/demo/')) {
        await page.getByRole('dialog', { name: 'Your privacy choices' }).waitFor();
        expect(await violations(page), `${path}, banner up`).toEqual([]);
        await page.locator('.vow-box [data-vow-action="accept-all"]').click();
        await page.getByRole('status').filter({ hasText: 'Your choices are saved.' }).waitFor();
      }
      expect(await violations(page), path).toEqual([]);
    }
  });

  it('the first layer names the categories; the settings list each cookie, its provider, purpose and duration, and who receives the data', async () => {
    const page = await open('/demo/');
    const banner = page.getByRole('dialog', { name: 'Your privacy choices' });
    await banner.getByText('We ask your consent for: Analytics, Advertising.').waitFor();
    await banner.getByRole('button', { name: 'Choose' }).click();
    const analytics = page.getByRole('group', { name: 'Analytics' });
    const rows = await page.evaluate<string[][]>(
      `Array.from(document.querySelectorAll('[data-vow-choice="analytics"] tbody tr'), (tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent))`,
    );
    expect(rows).toEqual([
      ['_ga', 'Google Analytics', 'Distinguishes visitors.', '2 years'],
      ['^_ga_', 'Google Analytics', 'Keeps the state of a visit.', '2 years'],
    ]);
    expect(await analytics.getByText(/^Shared with: /).textContent()).toContain('Cloud infrastructure provider');
    expect(await violations(page)).toEqual([]);
  });

  it('a blocked embed shows why, with a button that allows its category, keyboard-only; focus then goes to the embed', async () => {
    const page = await open('/demo/');
    await page.getByRole('dialog', { name: 'Your privacy choices' }).waitFor();
    await tabTo(page, 'Reject all');
    await page.keyboard.press('Enter');
    const placeholder = page.locator('[data-vow-blocked="advertising"]');
    expect(await placeholder.textContent()).toContain('Partner advertisement: This content is blocked: it uses Advertising cookies, which you have not allowed.');
    expect(await violations(page)).toEqual([]);
    await tabTo(page, 'Allow Advertising');
    const posted = page.waitForResponse((response) => response.url().endsWith('/v1/consent') && response.request().method() === 'POST');
    await page.keyboard.press('Enter');
    expect(((await (await posted).json()) as { granted: string[] }).granted).toEqual(['necessary', 'advertising']);
    await expect.poll(() => placeholder.count()).toBe(0);
    expect(await page.locator('iframe.ad').getAttribute('src')).toBe('/demo/ad.html');
    expect(await focused(page)).toMatchObject({ tag: 'IFRAME' });
    expect(await violations(page)).toEqual([]);
  });

  it('with Global Privacy Control on, the first layer says the signal was honored, and a blocked advertising embed offers no button', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { 'Sec-GPC': '1' } });
    contexts.push(context);
    await context.addInitScript({ content: "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })" });
    const page = await context.newPage();
    await page.goto(`${origin}/demo/`);
    await page.evaluate('Vow.init()');
    const banner = page.getByRole('dialog', { name: 'Your privacy choices' });
    await banner.getByText('Your opt-out preference signal was honored.').waitFor();
    expect(await page.locator('[data-vow-blocked="advertising"]').count()).toBe(0);
    expect(await violations(page)).toEqual([]);
  });

  it('in a dark scheme, the banner follows it, legibly', async () => {
    const context = await browser.newContext({ colorScheme: 'dark' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${origin}/demo/`);
    await page.evaluate('Vow.init()');
    const banner = page.getByRole('dialog', { name: 'Your privacy choices' });
    await banner.waitFor();
    expect(await page.evaluate('getComputedStyle(document.querySelector(".vow-box")).backgroundColor')).toBe('rgb(30, 31, 34)');
    // Only the banner is held to it: the demo page itself has no dark scheme.
    const result = await new AxeBuilder({ page }).include('.vow-root').analyze();
    expect(result.violations.map((violation) => violation.id)).toEqual([]);
  });
});

describe.skipIf(!haveChromium)('after a material change of the policy', () => {
  it('the banner asks again and says why', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'vow-material-'));
    const vow = await startVowServer({ VOW_POLICY: examplePolicy });
    const browser = await launchChromium([HOST]);
    try {
      const origin = `http://${HOST}:${vow.port}`;
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${origin}/demo/`);
      await page.evaluate('Vow.init()');
      await page.getByRole('dialog', { name: 'Your privacy choices' }).getByRole('button', { name: 'Accept all' }).click();
      await expect.poll(() => page.getByRole('status').filter({ hasText: 'Your choices are saved.' }).count()).toBe(1);

      const changed = join(folder, 'vow.policy.yaml');
      writeFileSync(changed, readFileSync(examplePolicy, 'utf8').replace('minimumAge: 13', 'minimumAge: 14'));
      const io = { out: () => undefined, err: () => undefined };
      expect(await runCli(['policy', 'publish', changed, '--material'], loadConfig({ VOW_DATA_DIR: vow.dataDir, LOG_LEVEL: 'silent' }), io)).toBe(0);
      // The server finds the new version within a second or two.
      await expect.poll(async () => ((await (await fetch(`http://127.0.0.1:${vow.port}/v1/consent/banner`)).json()) as { lastMaterialVersion: number }).lastMaterialVersion, { timeout: 10_000 }).toBe(2);

      await page.reload();
      await page.evaluate('Vow.init()');
      const banner = page.getByRole('dialog', { name: 'Your privacy choices' });
      await banner.getByText('Our privacy policy has changed in a way that matters since your last choice, so we ask again.').waitFor();
      const result = await new AxeBuilder({ page }).analyze();
      expect(result.violations.map((violation) => violation.id)).toEqual([]);
      await context.close();
    } finally {
      await browser.close();
      await vow.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
