// Builds the browser SDK (sdk/src → dist/sdk/vow.js, one minified file, styles included)
// and copies the demo site (sdk/demo → dist/sdk/demo), both served by `vow serve`.
import { cp, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const out = new URL('dist/sdk/', root);

await rm(out, { recursive: true, force: true });

/** One minified script for the browser, as old as the SDK's targets allow. */
const bundle = (entry, file) =>
  build({
    entryPoints: [new URL(entry, root).pathname],
    outfile: new URL(file, out).pathname,
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2019',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'warning',
  });

await bundle('sdk/src/index.ts', 'vow.js');
// The IAB GPP string, for sites that need it: a second script, outside the SDK's budget.
await bundle('sdk/src/gpp.ts', 'vow-gpp.js');
await cp(new URL('sdk/demo/', root), new URL('demo/', out), { recursive: true });
