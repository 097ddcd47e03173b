// Builds the browser SDK (sdk/src → dist/sdk/vow.js, one minified file, styles included)
// and copies the demo site (sdk/demo → dist/sdk/demo), both served by `vow serve`.
import { cp, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const out = new URL('dist/sdk/', root);

await rm(out, { recursive: true, force: true });
await build({
  entryPoints: [new URL('sdk/src/index.ts', root).pathname],
  outfile: new URL('vow.js', out).pathname,
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2019',
  platform: 'browser',
  legalComments: 'none',
  logLevel: 'warning',
});
// The IAB GPP string, for sites that need it: a second script, outside the SDK's budget.
await build({
  entryPoints: [new URL('sdk/src/gpp.ts', root).pathname],
  outfile: new URL('vow-gpp.js', out).pathname,
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2019',
  platform: 'browser',
  legalComments: 'none',
  logLevel: 'warning',
});
await cp(new URL('sdk/demo/', root), new URL('demo/', out), { recursive: true });
