/**
 * What the browser tests share: Debian's Chromium (skipped where it is missing, refused in
 * CI), a real `vow serve` of the built project with its first admin key, and Chromium
 * launched with test host names mapped to 127.0.0.1, so that sites on several origins and
 * cookies on a parent domain are real.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/** Call at the top of a browser test file: warns when skipping, and fails CI, which must run them. */
export function requireChromium(what: string): void {
  if (haveChromium) return;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must run the browser tests (.ci/run installs Debian's chromium)`);
  console.warn(`SKIPPING ${what}: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface VowServer {
  port: number;
  /** The first admin key the server printed. */
  adminKey: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts `vow serve` on a free port of 127.0.0.1 with its own data folder, SQLite, and `env` on top. */
export async function startVowServer(env: Record<string, string>): Promise<VowServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vow-browser-'));
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [bin, 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', VOW_DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const started = await new Promise<{ port: number; key: string }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /open http:\/\/127\.0\.0\.1:(\d+)\/privacy/.exec(output);
      const key = /shown only this once:\s*\n\s*(\S+)/.exec(output);
      if (url?.[1] && key?.[1]) resolve({ port: Number(url[1]), key: key[1] });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', () => {
      reject(new Error(`vow serve exited early:\n${output}`));
    });
  });
  return {
    port: started.port,
    adminKey: started.key,
    dataDir,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Headless Chromium with each of `hosts` resolving to 127.0.0.1. */
export function launchChromium(hosts: readonly string[]): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=${hosts.map((host) => `MAP ${host} 127.0.0.1`).join(', ')}`,
    ],
  });
}
