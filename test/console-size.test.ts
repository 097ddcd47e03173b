/**
 * The console's first load: the JavaScript its page loads before anything is clicked (the
 * entry and what it preloads) stays under 200 kB gzipped, and it loads nothing from
 * anywhere but its own origin. Built by `npm run build` (`build:console`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const BUDGET = 200 * 1024;
const dir = fileURLToPath(new URL('../dist/console/', import.meta.url));

describe('the console', () => {
  it(`loads at most ${BUDGET} bytes of JavaScript gzipped at first, all from its own origin`, () => {
    expect(existsSync(`${dir}index.html`), `${dir}index.html is missing: run npm run build`).toBe(true);
    const page = readFileSync(`${dir}index.html`, 'utf8');
    // No CDN, no inline script: every script and style is a file of the build under /console/.
    expect([...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]).filter((url) => !url?.startsWith('/console/assets/'))).toEqual([]);
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const scripts = [...page.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\/console\/([^"]+\.js)"/g)].map((match) => match[1] ?? '');
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(`${dir}${file}`), { level: 9 }).length, 0);
    console.log(`console first load: ${scripts.join(', ')}: ${gzipped} bytes gzipped (budget ${BUDGET})`);
    expect(gzipped).toBeLessThanOrEqual(BUDGET);
  });
});
