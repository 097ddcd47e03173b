/**
 * The banner and the privacy page's forms work for everyone: walked keyboard-only in
 * headless Chromium, with axe-core (`@axe-core/playwright`) run on every state and no
 * violation allowed. axe alone caught none of the bugs these tests were written for: a
 * focus trap Shift+Tab escaped, focus lost to the page after a choice, a French banner
 * without `lang`, a form requiring a field its label called optional, and a wrong code
 * leading to a page with no code field.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
