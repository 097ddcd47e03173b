// `npm start` builds only when something the build reads changed since the last build:
// a current build starts in about a second instead of recompiling everything.
//   node scripts/build-if-stale.js          builds when stale (npm run build), else says it is current
//   node scripts/build-if-stale.js --check  exits 1 when stale, 0 when current, building nothing
//   node scripts/build-if-stale.js --stamp  records that the build is current (the end of npm run build)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['src', 'sdk/src', 'sdk/demo', 'sdk/build.js', 'console/src', 'console/index.html', 'console/vite.config.ts', 'scripts/write-openapi.js', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

/** The newest modification time among the files under `path`. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stat.mtimeMs);
}

const stale = () => !existsSync(stamp) || inputs.some((input) => newest(join(root, input)) > statSync(stamp).mtimeMs);

const mode = process.argv[2];
if (mode === '--stamp') {
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
} else if (mode === '--check') {
  process.exit(stale() ? 1 : 0);
} else if (stale()) {
  process.stdout.write('vow: building (sources changed since the last build)\n');
  const built = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(built.status ?? 1);
} else {
  process.stdout.write('vow: the build is current\n');
}
