/**
 * `vow scan`: the live site held against the declaration, in headless Chromium. The demo
 * site as `vow serve` serves it keeps its promises (exit 0, notices only); a test site that
 * loads the SDK from Vow's address but also sets an undeclared cookie, sets an analytics
 * cookie before any choice, and calls a tracker on a second local host name is caught
 * with each kind of drift, what set each cookie, and exit 1.
 */
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.js';
import { loadConfig } from '../src/config.js';
import type { ScanReport } from '../src/scan/write-scan-report.js';
import { haveChromium, requireChromium, startVowServer, type VowServer } from './support/browser.js';
import { examplePolicy } from './support/fixtures.js';

requireChromium('the site scanner tests');

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe.skipIf(!haveChromium)('vow scan', () => {
  let folder: string;
  let vow: VowServer;
  let site: Server;
  let tracker: Server;
  let sitePort: number;
  let trackerPort: number;
  let policy: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'vow-scan-'));
    tracker = createServer((_request, response) => response.writeHead(200, { 'content-type': 'image/gif' }).end());
    trackerPort = await listen(tracker);
    site = createServer((request, response) => {
      const sdk = `http://127.0.0.1:${vow.port}/sdk/vow.js`;
      if (request.url === '/setup.js') {
        response.writeHead(200, { 'content-type': 'application/javascript' });
        response.end("document.cookie = '_hjid=42; path=/';");
        return;
      }
      const page = request.url === '/about' ? 'About us' : 'Home';
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'session_id=abc; Path=/; HttpOnly' });
      response.end(`<!doctype html><html lang="en"><title>${page}</title>
<script src="${sdk}"></script>
<script>document.cookie = '_ga=GA1.1.1; path=/';</script>
<script src="/setup.js"></script>
<main><h1>${page}</h1><a href="/about">About</a> <a href="/">Home</a> <a href="https://elsewhere.example/">Elsewhere</a>
<img src="http://localhost:${trackerPort}/pixel.gif" alt=""></main>`);
    });
    sitePort = await listen(site);
    policy = join(folder, 'vow.policy.yaml');
    writeFileSync(policy, readFileSync(examplePolicy, 'utf8').replace(/^scope:\n/m, `scope:\n  origins: ['http://127.0.0.1:${sitePort}']\n`));
    vow = await startVowServer({ VOW_POLICY: policy });
  }, 60_000);

  afterAll(async () => {
    await vow.stop();
    site.close();
    tracker.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const scan = async (url: string, out: string) => {
    const lines: string[] = [];
    // On the server's store: each scan is kept there for the console.
    const config = loadConfig({ LOG_LEVEL: 'silent', VOW_DATA_DIR: vow.dataDir });
    const code = await runCli(['scan', url, '--out', out, '--pages', '20', '--policy', policy], config, { out: (line) => lines.push(line), err: (line) => lines.push(line) });
    return { code, lines, report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ScanReport };
  };

  it('finds the demo site keeping the declaration: nothing but notices, exit 0', async () => {
    const out = join(folder, 'demo');
    const { code, lines, report } = await scan(`http://127.0.0.1:${vow.port}/demo/`, out);
    expect(code, lines.join('\n')).toBe(0);
    expect(report.failed).toBe(false);
    expect(report.drift.every((item) => item.kind === 'declared-never-seen')).toBe(true);
    const accepted = report.passes.find((pass) => pass.pass === 'after-accept');
    expect(accepted?.bannerOperated).toBe(true);
    expect(accepted?.cookies.map((cookie) => cookie.name).sort()).toEqual(['_ga', '_ga_DEMO', 'vow_consent']);
    expect(report.passes.find((pass) => pass.pass === 'before-choice')?.cookies).toEqual([]);
    expect(report.passes.find((pass) => pass.pass === 'after-reject')?.cookies.map((cookie) => cookie.name)).toEqual(['vow_consent']);
    expect(report.passes[0]?.pages.length).toBeGreaterThanOrEqual(5);
    for (const pass of ['before-choice', 'after-reject', 'after-accept', 'gpc']) expect(existsSync(join(out, `${pass}.png`)), pass).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<h1>No drift: ');
  }, 120_000);

  it('catches a site that sets undeclared cookies, an analytics cookie before consent and after refusal, and calls an undeclared host: exit 1', async () => {
    const out = join(folder, 'drifting');
    const { code, report } = await scan(`http://127.0.0.1:${sitePort}/`, out);
    expect(code).toBe(1);
    expect(report.failed).toBe(true);
    const of = (kind: string) => report.drift.filter((item) => item.kind === kind);
    expect(of('undeclared-cookie').map((item) => [item.subject, item.setBy]).sort()).toEqual([
      ['_hjid', `script http://127.0.0.1:${sitePort}/setup.js`],
      ['session_id', `response http://127.0.0.1:${sitePort}/`],
    ]);
    // An inline script is named by its page.
    expect(of('cookie-before-consent').map((item) => [item.subject, item.declaredAs, item.setBy])).toEqual([['_ga', 'analytics', `script http://127.0.0.1:${sitePort}/`]]);
    expect(of('cookie-after-refusal').map((item) => [item.subject, item.pass])).toEqual([['_ga', 'after-reject']]);
    expect(of('undeclared-third-party').map((item) => item.subject)).toEqual(['localhost']);
    // Vow's own host, where the page loads the SDK from, is not a third party.
    expect(report.drift.some((item) => item.subject === '127.0.0.1')).toBe(false);
    expect(report.passes[0]?.pages).toEqual([`http://127.0.0.1:${sitePort}/`, `http://127.0.0.1:${sitePort}/about`]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h1>Drift found: ');
    expect(html).toContain('undeclared-third-party');

    // The console's site screen reads the same findings from the server.
    const kept = await fetch(`http://127.0.0.1:${vow.port}/v1/site/scans`, { headers: { authorization: `Bearer ${vow.adminKey}` } });
    const { scans } = (await kept.json()) as { scans: { site: string; failed: boolean; drift: { kind: string; subject: string }[]; policyVersion: number | null }[] };
    expect(scans[0]).toMatchObject({ site: `http://127.0.0.1:${sitePort}`, failed: true, policyVersion: 1 });
    expect(scans[0]?.drift.map((item) => `${item.kind} ${item.subject}`).sort()).toEqual(report.drift.map((item) => `${item.kind} ${item.subject}`).sort());
    expect(scans.map((scan) => scan.site)).toContain(`http://127.0.0.1:${vow.port}`);
  }, 120_000);

  it('refuses a start that is not a site, naming it, with a non-zero exit', async () => {
    const lines: string[] = [];
    const code = await runCli(['scan', 'not a url', '--out', join(folder, 'bad')], loadConfig({ LOG_LEVEL: 'silent' }), { out: (line) => lines.push(line), err: (line) => lines.push(line) });
    expect(code).not.toBe(0);
    expect(lines.join('\n')).toContain('not a URL');
  });
});
