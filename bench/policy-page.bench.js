// GET /privacy through the whole server (in-process inject) against the bare cost of
// rendering the same version once: versions are immutable, so the server renders each
// once and serves the cached page.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVow } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';
import { findVersion } from '../dist/policy/policy-version.repository.js';
import { renderPolicy } from '../dist/policy/render-policy.js';

const N = 2000;

export async function policyPageBench() {
  const dir = mkdtempSync(join(tmpdir(), 'vow-bench-'));
  try {
    const vow = await createVow(loadConfig({ VOW_DATA_DIR: dir, LOG_LEVEL: 'silent' }));
    const version = await findVersion(vow.store.db, 1);
    let started = performance.now();
    for (let i = 0; i < N; i += 1) renderPolicy(version.declaration, version, 'html');
    const renderMs = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < N; i += 1) {
      const response = await vow.server.inject({ method: 'GET', url: '/privacy' });
      if (response.statusCode !== 200) throw new Error(`GET /privacy answered ${response.statusCode}`);
    }
    const serveMs = performance.now() - started;
    await vow.close();
    const perSecond = (ms) => Math.round((N / ms) * 1000);
    return {
      name: `policy page, ${N} requests`,
      lines: [
        `GET /privacy: ${perSecond(serveMs)} pages/s; baseline (rendering the page alone) ${perSecond(renderMs)}/s; ratio ${(renderMs / serveMs).toFixed(2)}`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
