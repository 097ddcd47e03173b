/**
 * `npm start` builds only what changed: after a build, it finds the build current and
 * starts the server without compiling anything (the README gives the time it takes).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/build-if-stale.js', import.meta.url));

describe('npm start', () => {
  it('finds the build current after npm run build, and builds nothing then', () => {
    // `npm test` builds before the suite runs.
    expect(spawnSync(process.execPath, [script, '--check']).status).toBe(0);
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('vow: the build is current\n');
  });
});
