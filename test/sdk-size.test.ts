/**
 * The browser SDK's size budget: banner and collector together, one file with its
 * styles, at most 10 kB gzipped. Built by `npm run build` (`build:sdk`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const BUDGET = 10 * 1024;
const file = fileURLToPath(new URL('../dist/sdk/vow.js', import.meta.url));

describe('the browser SDK', () => {
  it(`stays within its budget of ${BUDGET} bytes gzipped`, () => {
    expect(existsSync(file), `${file} is missing: run npm run build`).toBe(true);
    const source = readFileSync(file);
    const gzipped = gzipSync(source, { level: 9 }).length;
    console.log(`dist/sdk/vow.js: ${source.length} bytes, ${gzipped} bytes gzipped (budget ${BUDGET})`);
    expect(gzipped).toBeLessThanOrEqual(BUDGET);
    // No module syntax and no dependencies left for the browser to resolve: one self-contained IIFE.
    expect(source.toString('utf8')).not.toMatch(/\bimport\s*[({"']|\brequire\(/);
  });
});
