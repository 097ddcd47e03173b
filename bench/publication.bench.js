// What a publication costs the requests of a running server. The swap itself runs on a
// timer, between requests: its one synchronous step is parsing the new version's stored
// declaration (the reads around it are asynchronous); the new version's banners are then
// built in tasks of their own. A request can wait for one such task at most: the longest
// is the figure against the 1 ms budget. The first banner request under a new version is
// measured against the same request served from the cache, in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setImmediate } from 'node:timers';
import { join } from 'node:path';
import { createVow } from '../dist/app.js';
import { bannerFor } from '../dist/consent/banner.js';
import { loadConfig } from '../dist/config.js';
import { declarationFromContent } from '../dist/policy/policy-version.js';
import { policyContent } from '../dist/policy/policy-content.js';
import { publishPolicy } from '../dist/policy/publish-policy.js';

const ROUNDS = 50;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const max = (values) => Math.max(...values);

export async function publicationBench() {
  const dir = mkdtempSync(join(tmpdir(), 'vow-bench-'));
  try {
    const vow = await createVow(loadConfig({ VOW_DATA_DIR: dir, LOG_LEVEL: 'silent' }));
    // Only the explicit looks below swap versions, so each is timed whole.
    vow.policy.stop();
    const { declaration } = vow.policy.current();
    const content = policyContent(declaration);
    const parse = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      const started = performance.now();
      declarationFromContent(content);
      parse.push(performance.now() - started);
    }
    const banner = () => vow.server.inject({ method: 'GET', url: '/v1/consent/banner?lang=en' });
    const timed = async () => {
      const started = performance.now();
      const response = await banner();
      if (response.statusCode !== 200) throw new Error(`the banner answered ${response.statusCode}`);
      return performance.now() - started;
    };
    for (let i = 0; i < 200; i += 1) await timed();
    const cached = [];
    const first = [];
    const swaps = [];
    const build = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let i = 0; i < 20; i += 1) cached.push(await timed());
      await publishPolicy(vow.store.db, { declaration: { ...declaration, security: { measures: [...declaration.security.measures, `Measure ${round}`] } }, material: false, actor: 'bench' });
      const started = performance.now();
      if (!(await vow.policy.refresh())) throw new Error('the publication did not reach the server');
      swaps.push(performance.now() - started);
      await new Promise((resolve) => setImmediate(resolve));
      const builtAt = performance.now();
      const next = vow.policy.current();
      bannerFor(next.declaration, { lang: 'fr', policyVersion: next.version.number, lastMaterialVersion: next.lastMaterialVersion });
      build.push(performance.now() - builtAt);
      first.push(await timed());
    }
    await vow.close();
    const extra = median(first) - median(cached);
    const longest = Math.max(median(parse), median(build));
    return {
      name: `publication reaching a running server, ${ROUNDS} publications`,
      lines: [
        `swap: parsing the new version ${median(parse).toFixed(2)} ms (max ${max(parse).toFixed(2)} ms) on the event loop; the whole look, reads included, ${median(swaps).toFixed(2)} ms (asynchronous)`,
        `building one language's banner of the new version, in its own task: ${median(build).toFixed(2)} ms (max ${max(build).toFixed(2)} ms)`,
        `banner request: from the cache ${median(cached).toFixed(3)} ms; the first under a new version ${median(first).toFixed(3)} ms (+${extra.toFixed(3)} ms, max ${max(first).toFixed(3)} ms)`,
        `longest task a request can wait for: ${longest.toFixed(2)} ms of the 1 ms budget (ratio ${longest.toFixed(2)})`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
