// The browser SDK (issue 14): its size, and the time from vow.js starting to load (its
// compilation and run, the network left out: the script is inlined as served) to its
// Consent Mode default being in the dataLayer, in Chromium, against a baseline script that
// only records the time, in the same run. The default must be there in under 1 ms,
// before any tag placed after vow.js can run.
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { URL } from 'node:url';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { createVow } from '../dist/app.js';
import { examplePolicyFile, loadConfig } from '../dist/config.js';

const CHROMIUM = '/usr/bin/chromium';
const LOADS = 30;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A page that notes the time before the script and when its default was pushed (the baseline records the time itself). */
const page = (script) => `<!doctype html><html lang="en"><title>bench</title><script>
  window.dataLayer = [];
  const push = window.dataLayer.push.bind(window.dataLayer);
  window.dataLayer.push = function (entry) {
    if (window.__defaultAt === undefined && entry && entry[0] === 'consent' && entry[1] === 'default') window.__defaultAt = performance.now();
    return push(entry);
  };
  window.__start = performance.now();
</script><script>${script}</script>`;

export async function sdkBench() {
  const built = readFileSync(new URL('../dist/sdk/vow.js', import.meta.url));
  const gpp = readFileSync(new URL('../dist/sdk/vow-gpp.js', import.meta.url));
  const lines = [`vow-gpp.js (optional, outside the budget): ${gpp.length} bytes, ${gzipSync(gpp, { level: 9 }).length} bytes gzipped`, `vow.js: ${built.length} bytes, ${gzipSync(built, { level: 9 }).length} bytes gzipped (budget 10,240: ${gzipSync(built, { level: 9 }).length <= 10240 ? 'met' : 'NOT met'}), plus the served Consent Mode defaults`];
  if (!existsSync(CHROMIUM)) return { name: 'browser SDK', lines: [...lines, `script load to consent default: skipped, ${CHROMIUM} is missing`] };
  const folder = mkdtempSync(join(tmpdir(), 'vow-bench-sdk-'));
  const vow = await createVow(loadConfig({ VOW_DATA_DIR: folder, VOW_POLICY: examplePolicyFile, LOG_LEVEL: 'silent' }));
  // vow.js as the server serves it, the declaration's Consent Mode defaults ahead of it.
  const served = (await vow.server.inject({ method: 'GET', url: '/sdk/vow.js' })).body;
  const site = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(page(request.url === '/vow' ? served.replaceAll('</script', '<\\/script') : 'window.__defaultAt = performance.now();'));
  });
  site.listen(0, '127.0.0.1');
  await once(site, 'listening');
  const siteOrigin = `http://127.0.0.1:${site.address().port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const measure = async (path) => {
      const times = [];
      for (let load = 0; load < LOADS; load += 1) {
        await tab.goto(`${siteOrigin}${path}`);
        times.push(await tab.evaluate('window.__defaultAt - window.__start'));
      }
      return median(times);
    };
    // Interleaved, so that both see the same machine.
    const sdk = [];
    const baseline = [];
    for (let round = 0; round < 3; round += 1) {
      sdk.push(await measure('/vow'));
      baseline.push(await measure('/baseline'));
    }
    const vowMs = median(sdk);
    lines.push(
      `script load to consent default, in Chromium: median ${vowMs.toFixed(2)} ms over ${3 * LOADS} loads (a script that only records the time: ${median(baseline).toFixed(2)} ms); target < 1 ms: ${vowMs < 1 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await browser.close();
    site.close();
    await vow.close();
    rmSync(folder, { recursive: true, force: true });
  }
  return { name: 'browser SDK', lines };
}
