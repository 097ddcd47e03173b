// `vow scan` (issue 14): a crawl of 20 pages in four passes, each page loading Vow's SDK
// from Vow's own address, against bare loads of the same 80 pages in the same browser
// (the same passes in parallel, no observing), in the same run. Target: under 60 s. The
// demo site, which has fewer pages, is scanned whole too.
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createVow } from '../dist/app.js';
import { examplePolicyFile, loadConfig } from '../dist/config.js';
import { observeSite } from '../dist/scan/observe-site.js';

const CHROMIUM = '/usr/bin/chromium';
const PAGES = 20;
/** Vow's address, known once it listens; the site's pages name it. */
let vowOrigin = '';

export async function scanBench() {
  if (!existsSync(CHROMIUM)) return { name: 'vow scan', lines: [`skipped: ${CHROMIUM} is missing`] };
  const folder = mkdtempSync(join(tmpdir(), 'vow-bench-scan-'));
  const site = createServer((request, response) => {
    const n = Number(/^\/page\/(\d+)$/.exec(request.url ?? '')?.[1] ?? 0);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(
      `<!doctype html><html lang="en"><title>Page ${n}</title><script src="${vowOrigin}/sdk/vow.js"></script><main><h1>Page ${n}</h1>${Array.from({ length: PAGES }, (_, index) => `<a href="/page/${index}">Page ${index}</a>`).join(' ')}</main>`,
    );
  });
  site.listen(0, '127.0.0.1');
  await once(site, 'listening');
  const siteOrigin = `http://127.0.0.1:${site.address().port}`;
  const policy = join(folder, 'vow.policy.yaml');
  writeFileSync(policy, readFileSync(examplePolicyFile, 'utf8').replace(/^scope:\n/m, `scope:\n  origins: ['${siteOrigin}']\n`));
  const vow = await createVow(loadConfig({ VOW_DATA_DIR: join(folder, 'data'), VOW_POLICY: policy, LOG_LEVEL: 'silent' }));
  await vow.server.listen({ port: 0, host: '127.0.0.1' });
  vowOrigin = `http://127.0.0.1:${vow.server.server.address().port}`;
  const lines = [];
  try {
    let started = performance.now();
    const scanned = await observeSite({ start: new URL(`${siteOrigin}/page/0`), pages: PAGES, chromium: CHROMIUM });
    const scanMs = performance.now() - started;
    const pages = scanned.passes[0].pages;

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    started = performance.now();
    try {
      const visit = async () => {
        const context = await browser.newContext();
        const page = await context.newPage();
        for (const url of pages) await page.goto(url, { waitUntil: 'load' });
        await context.close();
      };
      await visit();
      await Promise.all([visit(), visit(), visit()]);
    } finally {
      await browser.close();
    }
    const bareMs = performance.now() - started;
    lines.push(
      `scan of ${pages.length} pages in 4 passes: ${(scanMs / 1000).toFixed(1)} s; bare loads of the same ${pages.length * 4} pages: ${(bareMs / 1000).toFixed(1)} s (ratio ${(bareMs / scanMs).toFixed(2)}); target < 60 s: ${scanMs < 60_000 ? 'met' : 'NOT met'}`,
    );
    started = performance.now();
    const demo = await observeSite({ start: new URL(`${vowOrigin}/demo/`), pages: PAGES, chromium: CHROMIUM });
    lines.push(`scan of the demo site (all its ${demo.passes[0].pages.length} pages) in 4 passes: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await vow.close();
    site.close();
    rmSync(folder, { recursive: true, force: true });
  }
  return { name: 'vow scan', lines };
}
