/**
 * The console does its work through the API, for the people who run privacy operations:
 * signed in in real Chromium against a real `vow serve`, on SQLite and on PostgreSQL,
 * each screen's main action is carried out, by keyboard alone or with the mouse, and
 * every state passes axe-core, fits a 375 px phone and leaves a screenshot.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../../src/auth/second-factor.js';
import { haveChromium, launchChromium, requireChromium } from './browser.js';
import { checkState, focusedText, password, startConsoleServer, tabTo, type ConsoleServer } from './console.js';
import { postgresAvailable } from './databases.js';
import { examplePolicy } from './fixtures.js';


const STEP_MS = 90_000;
const officer = 'officer@airobotics.example';
const auditor = 'auditor@airobotics.example';

/** The console's specification on one database; each database has a test file of its own, so the two run side by side. */
export function describeConsole(dialect: 'sqlite' | 'postgres'): void {
  requireChromium('the console browser tests');
  describe.skipIf(!haveChromium || (dialect === 'postgres' && !postgresAvailable))(`the console [${dialect}]`, () => {
    let server: ConsoleServer;
    let browser: Browser;

    beforeAll(async () => {
      server = await startConsoleServer(dialect);
      await server.staff(officer, 'privacy-officer');
      await server.staff(auditor, 'auditor');
      browser = await launchChromium([]);
    }, 60_000);

    afterAll(async () => {
      await browser.close();
      await server.stop();
    });

    const shot = (name: string) => `${dialect}-${name}`;

    /** A fresh browser signed in as `email`, by keyboard alone: Tab to each field, type, Enter. */
    async function signedIn(email: string): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      await page.goto(`${server.origin}/console/`);
      await expect.poll(() => focusedText(page)).toBe('Sign in to the Vow console');
      await typeSignIn(page, email);
      await expect.poll(() => focusedText(page)).toBe('Overview');
      return page;
    }

    /** The sign-in form filled by keyboard alone: Tab to the address, type it, Tab, the password, Enter. */
    async function typeSignIn(page: Page, email: string): Promise<void> {
      await tabTo(page, page.getByLabel('E-mail address'));
      await page.keyboard.type(email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(password);
      await page.keyboard.press('Enter');
    }

    it('signs in by keyboard alone, refuses a wrong password saying so, keeps no key in the page, and signs out', { timeout: STEP_MS }, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${server.origin}/console/`);
      await checkState(page, shot('sign-in'));
      await page.getByLabel('E-mail address').fill(officer);
      await page.getByLabel('Password').fill('not the password at all');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('wrong e-mail address or password');
      await checkState(page, shot('sign-in-refused'));
      await context.close();

      const signed = await signedIn(officer);
      const cookies = await signed.context().cookies();
      expect(cookies.find((cookie) => cookie.name === 'vow_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      expect(await signed.evaluate<string>('document.cookie')).toBe('');
      expect(await signed.evaluate<number>('localStorage.length + sessionStorage.length')).toBe(0);
      await checkState(signed, shot('overview'));
      await tabTo(signed, signed.getByRole('button', { name: 'Sign out' }));
      await signed.keyboard.press('Enter');
      await expect.poll(() => focusedText(signed)).toBe('Sign in to the Vow console');
      await signed.context().close();
    });

    it('adds an authenticator app from the account screen, then signs in with its code, by keyboard alone', { timeout: STEP_MS }, async () => {
      const email = `totp.${dialect}@airobotics.example`;
      await server.staff(email, 'support');
      const page = await signedIn(email);
      await tabTo(page, page.getByRole('link', { name: 'Your account' }));
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedText(page)).toBe('Your account');
      await tabTo(page, page.getByLabel('Your password'));
      await page.keyboard.type(password);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('img', { name: /QR code/ }).count()).toBe(1);
      await checkState(page, shot('account-second-factor'));
      const secret = (await page.locator('section', { hasText: 'Second factor' }).locator('code').textContent()) ?? '';
      await tabTo(page, page.getByLabel('Code from your authenticator app'));
      await page.keyboard.type(totpCodeAt(secret, new Date()));
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedText(page)).toBe('The second factor is on: signing in asks for its code from now on, and your other sessions have ended.');
      await tabTo(page, page.getByRole('button', { name: 'Sign out' }));
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedText(page)).toBe('Sign in to the Vow console');
      await typeSignIn(page, email);
      await expect.poll(() => focusedText(page)).toBe('');
      await expect.poll(() => page.getByLabel('Code from your authenticator app').count()).toBe(1);
      await checkState(page, shot('sign-in-code'));
      await page.keyboard.type(totpCodeAt(secret, new Date(Date.now() + 30_000)));
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedText(page)).toBe('Overview');
      await page.context().close();
    });

    it('approves a request and answers it from the queue, by keyboard alone', { timeout: STEP_MS }, async () => {
      const filed = await server.call('POST', '/v1/requests', { kind: 'question', email: 'moira.q@example.com', details: 'Which robots hold my voice recordings?' });
      expect(filed.status).toBe(202);
      const { id } = (await filed.json()) as { id: string };
      const page = await signedIn(officer);
      await tabTo(page, page.getByRole('link', { name: 'Requests' }));
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedText(page)).toBe('Requests');
      await tabTo(page, page.getByLabel('Show'));
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => page.getByRole('link', { name: id }).count()).toBe(1);
      await checkState(page, shot('requests'));
      await tabTo(page, page.getByRole('link', { name: id }));
      await page.keyboard.press('Enter');
      // The link itself names the request: wait for the request's own screen, loaded.
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`question request ${id}`);
      await expect.poll(() => focusedText(page)).toBe(`question request ${id}`);
      await checkState(page, shot('request'));
      await tabTo(page, page.getByLabel('How the identity was checked'));
      await page.keyboard.type('Called back on the number of the account');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedText(page)).toBe('Approved: the request is open.');
      await tabTo(page, page.getByLabel('The answer'));
      await page.keyboard.type('None: voice recordings stay on the robot.');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedText(page)).toBe('Carried out: the requester is told.');
      await checkState(page, shot('request-done'));
      const shown = (await (await server.call('GET', `/v1/requests/${id}`)).json()) as { status: string; events: { actor: string }[] };
      expect(shown.status).toBe('completed');
      expect(shown.events.some((event) => event.actor.startsWith('staff:stf_'))).toBe(true);
      await page.context().close();
    });

    it('records a breach with its clocks and marks the authority notified, with the mouse', { timeout: STEP_MS }, async () => {
      const page = await signedIn(officer);
      await page.getByRole('link', { name: 'Breaches' }).click();
      await page.getByRole('link', { name: 'Record a breach' }).click();
      await checkState(page, shot('breach-new'));
      await page.getByLabel('Title').fill('Support inbox exposed');
      await page.getByLabel('What happened').fill('A misconfigured share exposed the support inbox for two days.');
      await page.getByLabel('When it began').fill('2026-11-30T08:00');
      await page.getByLabel('When it was discovered').fill('2026-12-01T09:30');
      await page.getByRole('radio', { name: /High/ }).check();
      await page.getByRole('group', { name: 'Categories of data affected' }).getByRole('checkbox').first().check();
      await page.getByLabel('Likely consequences').fill('Phishing aimed at the people whose messages were read.');
      await page.getByLabel('Measures taken or proposed').fill('The share was closed and its access log reviewed.');
      await page.getByRole('button', { name: 'Record the breach' }).click();
      await expect.poll(() => focusedText(page)).toBe('Support inbox exposed');
      await expect(page.getByRole('table', { name: 'Clocks, from discovery' }).textContent()).resolves.toContain('GDPR');
      await checkState(page, shot('breach'));
      await page.getByLabel('The authority’s reference for the notification').fill('CNIL-2026-0042');
      await page.getByRole('button', { name: 'Mark the authority notified' }).click();
      await expect.poll(() => focusedText(page)).toBe('Marked: the supervisory authority was notified.');
      const { breaches } = (await (await server.call('GET', '/v1/breaches')).json()) as { breaches: { title: string; authorityReference: string | null }[] };
      expect(breaches.find((breach) => breach.title === 'Support inbox exposed')?.authorityReference).toBe('CNIL-2026-0042');
      await checkState(page, shot('breaches-done'));
      await page.context().close();
    });

    it('finds a person by e-mail, shows their data for one purpose, places and releases a hold, downloads the export and erases them, by keyboard alone', { timeout: STEP_MS }, async () => {
      const signedUp = await server.call('POST', '/v1/accounts', { email: 'tess.console@example.com', name: 'Tess Console', birthDate: '1990-01-01' });
      const { id } = (await signedUp.json()) as { id: string };
      const page = await signedIn(officer);
      await tabTo(page, page.getByRole('link', { name: 'Subjects' }));
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedText(page)).toBe('Subjects');
      await tabTo(page, page.getByLabel('E-mail address'));
      await page.keyboard.type('Tess.Console@example.com');
      await page.keyboard.press('Enter');
      await tabTo(page, page.getByRole('link', { name: id }));
      await checkState(page, shot('subjects'));
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedText(page)).toContain(id);
      await tabTo(page, page.getByLabel('Purpose', { exact: true }));
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => page.getByRole('main').textContent()).toContain('Tess Console');
      await checkState(page, shot('subject'));
      await tabTo(page, page.getByLabel('Why the data must be kept'));
      await page.keyboard.type('A chargeback dispute is open');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedText(page)).toBe('The hold is placed: nothing held is erased or purged.');
      await tabTo(page, page.getByRole('button', { name: 'Release' }));
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedText(page)).toBe('The hold is released.');
      const download = page.waitForEvent('download');
      await tabTo(page, page.getByRole('button', { name: 'Download everything held (zip)' }));
      await page.keyboard.press('Enter');
      expect((await download).suggestedFilename()).toBe(`vow-export-${id}.zip`);
      await tabTo(page, page.getByRole('checkbox', { name: /I understand/ }));
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedText(page)).toContain('Erased from every table');
      await checkState(page, shot('subject-erased'));
      const proofs = (await (await server.call('GET', `/v1/subjects/${id}/erasures`)).json()) as { erasures: unknown[] };
      expect(proofs.erasures).toHaveLength(1);
      await page.context().close();
    });

    it('previews a declaration with its changes, page and banner, and publishes it as a material change, with the mouse', { timeout: STEP_MS }, async () => {
      const page = await signedIn(officer);
      const refused: string[] = [];
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) refused.push(message.text());
      });
      await page.getByRole('link', { name: 'Policy' }).click();
      await expect.poll(() => focusedText(page)).toBe('Policy');
      await page.getByLabel('Or its text').fill('organization: [');
      await page.getByRole('button', { name: 'Preview' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('cannot be published');
      await checkState(page, shot('policy-problems'));
      const changed = readFileSync(examplePolicy, 'utf8').replace('description: To communicate with you', 'description: To write to you about your orders');
      await page.getByLabel('Or its text').fill(changed);
      await page.getByLabel(/A material change/).check();
      await page.getByRole('button', { name: 'Preview' }).click();
      await expect.poll(() => page.getByRole('table', { name: 'What changes' }).textContent()).toContain('To write to you about your orders');
      const preview = page.frameLocator('iframe[title="The policy page as it would be published"]');
      await expect.poll(() => preview.locator('body').textContent()).toContain('To write to you about your orders');
      await checkState(page, shot('policy-preview'));
      await page.getByRole('button', { name: 'Publish as a material change' }).click();
      await expect.poll(() => focusedText(page)).toMatch(/^Version \d+ is published and in force\.$/);
      const inForce = (await (await fetch(`${server.origin}/v1/policy`)).json()) as { material: boolean; declaration: { purposes: { description: string }[] } };
      expect(inForce.material).toBe(true);
      expect(inForce.declaration.purposes.map((purpose) => purpose.description)).toContain('To write to you about your orders');
      await expect.poll(async () => (await fetch(`${server.origin}/privacy`)).text()).toContain('To write to you about your orders');
      await page.getByRole('button', { name: /What changed from v/ }).first().click();
      await expect.poll(() => page.getByRole('region', { name: /Changes from v/ }).textContent()).toContain('To write to you about your orders');
      await checkState(page, shot('policy-published'));
      // The preview's stylesheet is the one inline style the console's policy allows; nothing else was refused.
      expect(refused).toEqual([]);
      await page.context().close();
    });

    it('shows the records of processing and a recipient’s task, and marks it told, with the mouse', { timeout: STEP_MS }, async () => {
      const signedUp = await server.call('POST', '/v1/accounts', { email: 'rita.recipient@example.com', name: 'Rita Recipient', birthDate: '1990-01-01' });
      const { id } = (await signedUp.json()) as { id: string };
      expect((await server.call('POST', '/v1/disclosures', { recipient: 'hosting', categories: ['account'], purpose: 'provide-services', subjects: { ids: [id] } })).status).toBe(201);
      expect((await server.call('POST', `/v1/subjects/${id}/erase`, { reason: 'admin' })).status).toBe(200);
      const page = await signedIn(officer);
      await page.getByRole('link', { name: 'Disclosures and records' }).click();
      await expect.poll(() => focusedText(page)).toBe('Disclosures and records of processing');
      await expect.poll(() => page.getByRole('main').textContent()).toContain('Legal basis');
      await expect.poll(() => page.getByRole('table', { name: 'Every disclosure, newest first' }).textContent()).toContain('hosting');
      const csv = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download CSV' }).click();
      expect((await csv).suggestedFilename()).toBe('records-of-processing.csv');
      await checkState(page, shot('records'));
      await page.getByRole('link', { name: 'Recipients' }).click();
      await expect.poll(() => focusedText(page)).toBe('Recipients');
      const told = page.getByRole('row').filter({ hasText: id }).getByRole('button', { name: 'Mark the erasure told to hosting' });
      await expect.poll(() => told.count()).toBe(1);
      await checkState(page, shot('recipients'));
      await told.click();
      await expect.poll(() => focusedText(page)).toBe('Marked done: the recipient was told.');
      const done = (await (await server.call('GET', '/v1/recipient-tasks?status=done')).json()) as { tasks: { subjectId: string; recipient: string; doneBy: string }[] };
      expect(done.tasks.filter((task) => task.subjectId === id)).toEqual([expect.objectContaining({ recipient: 'hosting', doneBy: expect.stringMatching(/^staff:stf_/) as unknown })]);
      await page.context().close();
    });

    it('filters the audit log to the staff’s own acts and verifies the whole chain, as an auditor, by keyboard alone', { timeout: STEP_MS }, async () => {
      const page = await signedIn(auditor);
      await tabTo(page, page.getByRole('link', { name: 'Audit' }));
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedText(page)).toBe('Audit log');
      await tabTo(page, page.getByLabel('Action'));
      await page.keyboard.type('staff.');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('table', { name: 'Audit records, newest first' }).textContent()).toContain('staff.signed-in');
      const actions = await page.getByRole('table', { name: 'Audit records, newest first' }).locator('tbody td:nth-child(4)').allTextContents();
      expect(actions.every((action) => action.startsWith('staff.'))).toBe(true);
      await tabTo(page, page.getByRole('button', { name: 'Verify the whole chain now' }));
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('status').filter({ hasText: 'The chain holds' }).count()).toBe(1);
      await checkState(page, shot('audit'));
      await page.context().close();
    });

    it('shows the latest scan of the live site and what it found, as an auditor', { timeout: STEP_MS }, async () => {
      const out = mkdtempSync(join(tmpdir(), 'vow-console-scan-'));
      try {
        await server.cli(['scan', `${server.origin}/demo/`, '--out', out, '--pages', '3']);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
      const page = await signedIn(auditor);
      await page.getByRole('link', { name: 'Site' }).click();
      await expect.poll(() => focusedText(page)).toBe('The live site');
      await expect.poll(() => page.getByRole('table', { name: 'The latest scans, newest first' }).textContent()).toContain(server.origin);
      await expect.poll(() => page.getByRole('main').textContent()).toContain('declared, never seen');
      await checkState(page, shot('site'));
      await page.context().close();
    });

    it('opens every screen from the navigation by keyboard, focusing its heading, and Tab reaches every control on it with no trap', { timeout: STEP_MS }, async () => {
      const page = await signedIn(officer);
      const names = await page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();
      expect(names.length).toBeGreaterThanOrEqual(10);
      for (const name of names) {
        await tabTo(page, page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }), 80);
        await page.keyboard.press('Enter');
        await expect.poll(() => page.evaluate<string>('document.activeElement?.tagName ?? ""'), { message: `${name}: the heading takes focus` }).toBe('H1');
        await page.waitForLoadState('networkidle');
        await expect.poll(() => page.locator('.loading').count(), { message: `${name}: loaded` }).toBe(0);
        // Every control of the screen, then Tab from the heading until focus comes round again.
        const controls = await page.evaluate<number>(
          "[...document.querySelectorAll('main a[href], main button:not([disabled]), main input:not([disabled]), main select, main textarea, main [tabindex=\"0\"]')].filter((element) => element.offsetParent !== null && !(element.type === 'radio' && !element.checked && document.querySelector(`input[type=radio][name=${element.name}]:checked`))).length",
        );
        const reached = new Set<string>();
        let cameRound = false;
        let left = false;
        for (let presses = 0; presses < controls + 20 && !cameRound; presses += 1) {
          await page.keyboard.press('Tab');
          // Past the page's last control focus leaves for the browser's own (body, here), then comes round to the top.
          const where = await page.evaluate<string>("(() => { const element = document.activeElement; if (!element || element === document.body) return 'body'; return element.closest('main') !== null ? 'main:' + [...document.querySelectorAll('main *')].indexOf(element) : 'outside'; })()");
          if (where.startsWith('main:')) reached.add(where);
          else if (where === 'body') left = true;
          else if (left || reached.size > 0) cameRound = true;
        }
        expect(reached.size, `${name}: every control is reached by Tab`).toBe(controls);
        expect(cameRound, `${name}: Tab leaves the screen and comes round to the top (no trap)`).toBe(true);
      }
      await page.context().close();
    });

    it('offers an auditor only what the role may do, and the API refuses the rest', { timeout: STEP_MS }, async () => {
      const page = await signedIn(auditor);
      await page.getByRole('link', { name: 'Breaches' }).click();
      await expect.poll(() => focusedText(page)).toBe('Breach register');
      expect(await page.getByRole('link', { name: 'Record a breach' }).count()).toBe(0);
      // Even with the session's own CSRF token, the role decides, at the API.
      const refused = await page.evaluate<{ error: { message: string } }>(
        "fetch('/v1/session').then((answer) => answer.json()).then((session) => fetch('/v1/breaches', { method: 'POST', headers: { 'content-type': 'application/json', 'x-vow-csrf': session.csrfToken }, body: '{}' })).then((answer) => answer.json())",
      );
      expect(refused.error.message).toBe('role auditor may not breaches:manage');
      await page.context().close();
    });
  });
}
