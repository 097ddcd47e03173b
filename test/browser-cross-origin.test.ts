/**
 * Vow on its own address, the site on another: the company's site (www.airobotics.test)
 * loads the SDK from Vow (consent.vow-host.test, another site altogether), shows the
 * banner, records the choice and sends events there, and keeps the consent cookie on its
 * own domain. A site the declaration does not list gets nothing: no banner, no consent.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/store/open-store.js';
import { haveChromium, launchChromium, requireChromium, startVowServer, type VowServer } from './support/browser.js';
import { examplePolicy } from './support/fixtures.js';

requireChromium('the cross-origin browser tests');

const SITE = 'www.airobotics.test';
const STRANGER = 'www.elsewhere.test';
const VOW = 'consent.vow-host.test';

describe.skipIf(!haveChromium)('the SDK loaded by a site on another origin', () => {
  let site: Server;
  let sitePort: number;
  let vow: VowServer;
  let browser: Browser;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'vow-cross-origin-'));
    // The company's site: one page that loads the SDK from Vow's address.
    site = createServer((request, response) => {
      const vowOrigin = `http://${VOW}:${vow.port}`;
      if (request.url === '/') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(`<!doctype html><html lang="en"><title>AIRobotics</title><main><h1>Robots</h1></main><script src="${vowOrigin}/sdk/vow.js" defer></script>`);
      } else response.writeHead(404).end();
    });
    site.listen(0, '127.0.0.1');
    await once(site, 'listening');
    sitePort = (site.address() as AddressInfo).port;
    const policy = join(folder, 'vow.policy.yaml');
    const text = readFileSync(examplePolicy, 'utf8').replace(/^scope:\n/m, `scope:\n  origins: ['http://${SITE}:${sitePort}']\n`);
    writeFileSync(policy, text);
    vow = await startVowServer({ VOW_POLICY: policy });
    browser = await launchChromium([SITE, STRANGER, VOW]);
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await vow.stop();
    site.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('shows the banner, records the choice and stores the events, the consent cookie on the site’s own domain', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`http://${SITE}:${sitePort}/`);
    const banner = page.getByRole('dialog', { name: 'Your privacy choices' });
    await banner.waitFor();
    const posted = page.waitForResponse((response) => response.url().endsWith('/v1/consent') && response.request().method() === 'POST');
    await banner.getByRole('button', { name: 'Accept all' }).click();
    const answer = await posted;
    expect(answer.status()).toBe(201);
    expect(answer.headers()['access-control-allow-origin']).toBe(`http://${SITE}:${sitePort}`);
    const { subjectId } = (await answer.json()) as { subjectId: string };

    const cookies = await context.cookies();
    expect(cookies.filter((cookie) => cookie.name === 'vow_consent').map((cookie) => cookie.domain)).toEqual([SITE]);
    // Events go out by sendBeacon when the page is left.
    await page.evaluate("Vow.track('feature', { features: ['robot-configurator'] })");
    await page.goto('about:blank');
    const store = await openStore(loadConfig({ VOW_DATA_DIR: vow.dataDir, LOG_LEVEL: 'silent' }));
    try {
      const count = async () => {
        const row = await store.db.selectFrom('events').select((eb) => eb.fn.sum<number | string>('event_count').as('n')).where('subject_id', '=', subjectId).executeTakeFirst();
        return Number(row?.n ?? 0);
      };
      // The page view the choice started, and the feature.
      await expect.poll(count, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    } finally {
      await store.close();
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it('gives a site the declaration does not list no banner and records nothing from it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(`http://${STRANGER}:${sitePort}/`);
    await expect.poll(() => consoleErrors.some((text) => text.includes('CORS')), { timeout: 10_000 }).toBe(true);
    expect(await page.getByRole('dialog').count()).toBe(0);
    // Nor may it record a choice in a visitor's name: the preflight is refused.
    const refused = await page.evaluate(async (url) => {
      try {
        await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ granted: [], refused: ['analytics'], source: 'banner' }) });
        return false;
      } catch {
        return true;
      }
    }, `http://${VOW}:${vow.port}/v1/consent`);
    expect(refused).toBe(true);
    await context.close();
  });
});
