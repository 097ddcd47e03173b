/**
 * The SDK's preference form for purposes based on consent, in a real browser: headless
 * Chromium (Debian's) loads the demo's preferences page as `vow serve` serves it under the
 * consent-first declaration (a newsletter that rests on consent). Decisions are checked
 * in the store through the staff API, with the texts shown in their proof; keyboard use,
 * focus and axe-core's rules are checked in the page, in every state of the form.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium, requireChromium, startVowServer, type VowServer } from './support/browser.js';

requireChromium("the preference form's browser tests");

const consentFirst = fileURLToPath(new URL('../examples/consent-first/vow.policy.yaml', import.meta.url));
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const HOST = 'www.airobotics.test';
const PAGE = '/demo/preferences.html';
/** Where the page finds axe-core: answered by the test (route), never by the server. */
const AXE_URL = '/test-only/axe.min.js';
const LEGEND = 'What AIRobotics Group may do with your consent';
const NEWSLETTER = 'To send you our newsletter and news of our products';

interface Form {
  policyVersion: number;
  purposes: { id: string; description: string }[];
  textHash: string;
}

interface PurposeAnswer {
  visitorId: string;
  consented: string[];
  records: { purpose: string; granted: boolean }[];
}

interface PurposeRecord {
  purpose: string;
  granted: boolean;
  source: string;
  policyVersion: number;
  textHash: string;
  verified: boolean;
}

interface Focused {
  tag: string;
  type: string | null;
  text: string;
  inForm: boolean;
  outline: string;
}

describe.skipIf(!haveChromium)('the preference form for purposes based on consent, in headless Chromium', () => {
  let origin: string;
  let apiOrigin: string;
  let adminKey: string;
  let browser: Browser | undefined;
  let form: Form;

  let vow: VowServer | undefined;

  beforeAll(async () => {
    vow = await startVowServer({ VOW_POLICY: consentFirst });
    origin = `http://${HOST}:${vow.port}`;
    apiOrigin = `http://127.0.0.1:${vow.port}`;
    adminKey = vow.adminKey;
    form = (await (await fetch(`${apiOrigin}/v1/consent/purposes`)).json()) as Form;
    browser = await launchChromium([HOST]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await vow?.stop();
  });

  /** A fresh visitor (own cookies); CSP violations, failed requests and script errors fail the test that opened it. */
  async function visitor(options: { height?: number } = {}) {
    if (!browser) throw new Error('Chromium did not start');
    const context: BrowserContext = await browser.newContext({ locale: 'en-US', viewport: { width: 1000, height: options.height ?? 720 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      const text = message.text();
      // Helmet's Cross-Origin-Opener-Policy is ignored on plain http (not localhost): expected. Failed loads are reported with their URL below.
      if (message.type() === 'error' && !text.startsWith('The Cross-Origin-Opener-Policy header has been ignored') && !text.startsWith('Failed to load resource'))
        problems.push(text);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const group = page.getByRole('group', { name: LEGEND });
    return {
      context,
      page,
      group,
      newsletter: group.getByRole('checkbox', { name: NEWSLETTER }),
      save: page.getByRole('button', { name: 'Save my choices' }),
      status: page.locator('[data-vow-purposes] [role="status"]'),
      async open() {
        await page.goto(`${origin}${PAGE}`);
        // Settles when the banner is loaded, the choices applied and the preference form shown.
        await page.evaluate('Vow.init()');
      },
      /** Waits for the decisions the next action posts; returns what was sent and what the server answered. */
      async purposes(action: () => Promise<void>): Promise<{ sent: unknown; answer: PurposeAnswer }> {
        const response = page.waitForResponse((candidate) => candidate.url().endsWith('/v1/consent/purposes') && candidate.request().method() === 'POST');
        await action();
        const answer = await response;
        expect(answer.status()).toBe(201);
        return { sent: answer.request().postDataJSON(), answer: (await answer.json()) as PurposeAnswer };
      },
      /** Rejects all cookies on the banner; the subject the visitor is, for the staff API. */
      async rejectCookies(): Promise<{ visitorId: string; subjectId: string }> {
        const response = page.waitForResponse((candidate) => candidate.url().endsWith('/v1/consent') && candidate.request().method() === 'POST');
        await page.getByRole('dialog', { name: 'Your privacy choices' }).getByRole('button', { name: 'Reject all' }).click();
        const answer = await response;
        expect(answer.status()).toBe(201);
        return (await answer.json()) as { visitorId: string; subjectId: string };
      },
      async close() {
        await context.close();
        expect(problems).toEqual([]);
      },
    };
  }

  async function records(subjectId: string): Promise<PurposeRecord[]> {
    const response = await fetch(`${apiOrigin}/v1/subjects/${subjectId}/purpose-consents`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { records: PurposeRecord[] }).records;
  }

  const focused = (page: Page) =>
    page.evaluate<Focused>(
      `(() => { const a = document.activeElement; return { tag: a.tagName, type: a.getAttribute('type'), text: (a.textContent || '').trim(), inForm: !!a.closest('[data-vow-purposes]'), outline: getComputedStyle(a).outlineStyle }; })()`,
    );

  /**
   * axe-core's rules on the whole page, as it is now: the violations, by rule and element.
   * axe is served to the page from its own origin, so the demo's Content-Security-Policy
   * (scripts from 'self' only, which refuses an inline copy) stays on for the SDK.
   */
  async function axeViolations(page: Page): Promise<{ id: string; targets: string[] }[]> {
    if (!(await page.evaluate<boolean>('typeof axe !== "undefined"'))) {
      await page.route(`${origin}${AXE_URL}`, (route) => route.fulfill({ path: axePath, contentType: 'application/javascript' }));
      await page.addScriptTag({ url: AXE_URL });
    }
    return page.evaluate<{ id: string; targets: string[] }[]>(
      'axe.run(document).then((result) => result.violations.map((violation) => ({ id: violation.id, targets: violation.nodes.map((node) => node.target.join(" ")) })))',
    );
  }

  it('shows a checkbox per purpose in a fieldset; granted with the mouse, recorded with the texts shown, and shown again after a reload', async () => {
    // Tall enough that the banner, still open at the bottom, leaves the save button in sight.
    const v = await visitor({ height: 1000 });
    await v.open();
    // A real fieldset named by its legend, and each checkbox named by its label.
    expect(await v.page.locator('[data-vow-purposes] fieldset > legend').textContent()).toBe(LEGEND);
    expect(await v.group.count()).toBe(1);
    expect(await v.page.locator('[data-vow-purposes] input[type="checkbox"]').count()).toBe(form.purposes.length);
    expect(await v.newsletter.isChecked()).toBe(false);
    expect(await v.status.getAttribute('aria-live')).toBe('polite');
    expect(await axeViolations(v.page)).toEqual([]);

    // Before any cookie decision: the form's decision makes the visitor, and the banner still asks.
    await v.newsletter.click();
    const { sent, answer } = await v.purposes(() => v.save.click());
    // Every purpose shown is decided by the save: the one ticked granted, the others withdrawn (or never given).
    expect(sent).toEqual({ granted: ['newsletter'], withdrawn: form.purposes.map((purpose) => purpose.id).filter((id) => id !== 'newsletter'), policyVersion: form.policyVersion, textHash: form.textHash });
    expect(answer).toMatchObject({ consented: ['newsletter'], records: expect.arrayContaining([expect.objectContaining({ purpose: 'newsletter', granted: true })]) as unknown });
    await expect.poll(() => v.status.textContent()).toBe('Your choices are saved.');
    expect(await v.newsletter.isChecked()).toBe(true);
    expect((await v.context.cookies()).find((cookie) => cookie.name === 'vow_consent')?.value).toBe(`${answer.visitorId}|0`);
    expect(await v.page.locator('[data-vow-layer="first"]').count()).toBe(1);
    expect(await axeViolations(v.page)).toEqual([]);

    // The banner's decision is the same visitor's.
    const cookies = await v.rejectCookies();
    expect(cookies.visitorId).toBe(answer.visitorId);
    expect((await records(cookies.subjectId)).filter((record) => record.purpose === 'newsletter')).toEqual([
      expect.objectContaining({ purpose: 'newsletter', granted: true, source: 'form', policyVersion: form.policyVersion, textHash: form.textHash, verified: true }),
    ]);

    await v.open();
    expect(await v.newsletter.isChecked()).toBe(true);
    expect(await v.status.textContent()).toBe('');
    await v.close();
  });

  it('withdrawn with the keyboard alone, as easily as given: focus stays on the save button and Tab leaves the form', async () => {
    const v = await visitor();
    await v.open();
    const { subjectId } = await v.rejectCookies();
    await v.newsletter.click();
    await v.purposes(() => v.save.click());

    await v.open();
    expect(await v.newsletter.isChecked()).toBe(true);
    // From the top of the page: Tab reaches the form's checkboxes, their focus visible, one after the other down to the newsletter's.
    for (let i = 0; i < 10 && !(await focused(v.page)).inForm; i++) await v.page.keyboard.press('Tab');
    expect(await focused(v.page)).toMatchObject({ tag: 'INPUT', type: 'checkbox', inForm: true, outline: 'solid' });
    const onNewsletter = () => v.page.evaluate<boolean>(`document.activeElement?.closest('label')?.textContent?.includes(${JSON.stringify(NEWSLETTER)}) === true`);
    for (let i = 0; i < form.purposes.length && !(await onNewsletter()); i++) await v.page.keyboard.press('Tab');
    expect(await onNewsletter()).toBe(true);
    await v.page.keyboard.press('Space');
    expect(await v.newsletter.isChecked()).toBe(false);
    await v.page.keyboard.press('Tab');
    expect(await focused(v.page)).toMatchObject({ tag: 'BUTTON', text: 'Save my choices', outline: 'solid' });
    const { sent, answer } = await v.purposes(() => v.page.keyboard.press('Enter'));
    expect(sent).toMatchObject({ granted: [], withdrawn: expect.arrayContaining(['newsletter']) as unknown, policyVersion: form.policyVersion, textHash: form.textHash });
    expect(answer.consented).toEqual([]);
    await expect.poll(() => v.status.textContent()).toBe('Your choices are saved.');
    expect(await focused(v.page)).toMatchObject({ tag: 'BUTTON', text: 'Save my choices', inForm: true });
    expect((await records(subjectId)).filter((record) => record.purpose === 'newsletter').map((record) => [record.granted, record.textHash, record.verified])).toEqual([
      [true, form.textHash, true],
      [false, form.textHash, true],
    ]);
    expect(await axeViolations(v.page)).toEqual([]);

    // No trap: Tab goes on past the form, Shift+Tab comes back.
    await v.page.keyboard.press('Tab');
    expect(await focused(v.page)).toMatchObject({ tag: 'A', text: 'Privacy settings', inForm: false });
    await v.page.keyboard.press('Shift+Tab');
    expect(await focused(v.page)).toMatchObject({ text: 'Save my choices', inForm: true });

    await v.open();
    expect(await v.newsletter.isChecked()).toBe(false);
    await v.close();
  });

  it('shows nothing when the declaration has no purpose based on consent', async () => {
    const v = await visitor();
    // The server's form with its purposes taken out: what a declaration without such purposes answers.
    await v.context.route(`${origin}/v1/consent/purposes`, (route) => route.fulfill({ json: { ...form, purposes: [] } }));
    await v.open();
    expect(await v.page.locator('[data-vow-purposes]').innerHTML()).toBe('');
    expect(await v.page.evaluate('Vow.purposes(document.querySelector("[data-vow-purposes]")).then((form) => form === undefined)')).toBe(true);
    expect(await v.page.locator('form, fieldset').count()).toBe(0);
    await v.close();
  });
});
