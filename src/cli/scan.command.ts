import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import { VowError } from '../errors.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { findSiteDrift } from '../scan/find-site-drift.js';
import { observeSite } from '../scan/observe-site.js';
import { writeScanReport } from '../scan/write-scan-report.js';
import { recordSiteScan, type SiteScan } from '../scan/site-scans.js';
import { findLatestVersion } from '../policy/policy-version.repository.js';
import { openStore } from '../store/open-store.js';
import type { Io } from './io.js';

export interface ScanOptions {
  pages: number;
  out: string;
  policy?: string;
  /** The host serving Vow (its SDK and API): not a third party of the site. */
  vow?: string[];
  strict: boolean;
  chromium: string;
  /** Host names resolved to 127.0.0.1, for local sites. */
  hostRule?: string[];
}

/**
 * The scan, kept in the store for the console's site screen, where there is one: a site's
 * CI may scan without any, and a scan never creates a store.
 */
async function recordInStore(config: Config, io: Io, scan: Omit<SiteScan, 'id' | 'policyVersion'>): Promise<void> {
  let store;
  try {
    store = await openStore(config);
  } catch (error) {
    if (error instanceof VowError && error.code === 'not_found') {
      io.err(`note: the scan is not kept for the console: ${error.message}`);
      return;
    }
    throw error;
  }
  try {
    const inForce = await findLatestVersion(store.db);
    await recordSiteScan(store.db, { ...scan, policyVersion: inForce?.number ?? null }, 'cli');
  } finally {
    await store.close();
  }
}

/**
 * `vow scan URL`: the live site against the declaration, in headless Chromium. Exits 1
 * when it finds drift (with `--strict`, also what is declared but never seen), so that a
 * site's CI can run it.
 */
export async function scanCommand(config: Config, io: Io, start: string, options: ScanOptions): Promise<number> {
  let url: URL;
  try {
    url = new URL(start);
  } catch {
    throw new VowError('bad_request', `${start} is not a URL: give the site's address, such as https://www.example.com/`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new VowError('bad_request', 'the site must be an http or https URL');
  if (!existsSync(options.chromium)) throw new VowError('unavailable', `${options.chromium} is missing: install Chromium (apt-get install -y chromium) or pass --chromium PATH`);
  const { declaration } = await loadDeclaration(options.policy ?? config.policyFile);
  const out = resolve(options.out);
  await mkdir(out, { recursive: true });
  const observation = await observeSite({ start: url, pages: options.pages, chromium: options.chromium, screenshots: out, ...(options.hostRule ? { hostRules: options.hostRule } : {}) });
  // Vow's own host: where the page loaded the SDK from, and any the operator names.
  const vowHosts = [...(options.vow ?? []), ...observation.passes.flatMap((pass) => pass.thirdParty.filter((request) => request.sdk).map((request) => request.host))];
  const report = findSiteDrift(declaration, observation, { strict: options.strict, vowHosts });
  const written = await writeScanReport(out, { start: observation.start, scannedAt: observation.scannedAt, passes: observation.passes, ...report });
  const pages = observation.passes[0]?.pages.length ?? 0;
  await recordInStore(config, io, { site: url.origin, scannedAt: observation.scannedAt, pages, failed: report.failed, drift: report.drift });
  for (const item of report.drift) io.out(`${item.kind === 'declared-never-seen' && !options.strict ? 'notice' : 'DRIFT'} ${item.kind}: ${item.message}${item.page ? ` (${item.page})` : ''}`);
  io.out(`${report.failed ? 'DRIFT' : 'OK'} ${url.origin}: ${pages} pages in 4 passes, ${report.drift.length} findings; ${written.html}`);
  return report.failed ? 1 : 0;
}
