/**
 * What the console's browser tests share: a real `vow serve` of the built project (SQLite,
 * or PostgreSQL with a database of its own), a staff account made with `vow staff create`,
 * and checks run on every state of every screen: axe-core without a violation, nothing wider
 * than a 375 px phone, and a screenshot kept in `test-results/console/`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Dialect } from '../../src/store/open-store.js';
import { startVowServer, type VowServer } from './browser.js';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { examplePolicy } from './fixtures.js';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const shots = fileURLToPath(new URL('../../test-results/console/', import.meta.url));

export interface ConsoleServer {
  vow: VowServer;
  /** Plain HTTP to 127.0.0.1: the one place the session cookie is not Secure. */
  origin: string;
  env: Record<string, string>;
  dialect: Dialect;
  /** Runs `vow` on the same store. */
  cli(args: readonly string[]): Promise<string>;
  /** Creates a staff account with this role; its password is `password`. */
  staff(email: string, role: string): Promise<void>;
  /** A call to the API with the first admin key. */
  call(method: string, path: string, body?: unknown): Promise<Response>;
  stop(): Promise<void>;
}

export const password = 'correct horse battery staple';

export async function startConsoleServer(dialect: Dialect): Promise<ConsoleServer> {
  const database: TestDatabase | undefined = dialect === 'postgres' ? await createTestDatabase('postgres') : undefined;
  const env: Record<string, string> = { VOW_POLICY: examplePolicy, ...(database?.url ? { DATABASE_URL: database.url } : {}) };
  const vow = await startVowServer(env);
  const cliEnv = { ...process.env, ...env, VOW_DATA_DIR: vow.dataDir, DATABASE_URL: env.DATABASE_URL ?? '', LOG_LEVEL: 'silent' };
  const cli = async (args: readonly string[]) => (await promisify(execFile)(process.execPath, [bin, ...args], { env: cliEnv })).stdout;
  const origin = `http://127.0.0.1:${vow.port}`;
  const folder = mkdtempSync(join(tmpdir(), 'vow-console-'));
  const passwordFile = join(folder, 'password');
  writeFileSync(passwordFile, `${password}\n`);
  return {
    vow,
    origin,
    env,
    dialect,
    cli,
    async staff(email, role) {
      await cli(['staff', 'create', '--email', email, '--role', role, '--password-file', passwordFile]);
    },
    call: (method, path, body) =>
      fetch(`${origin}${path}`, {
        method,
        headers: { authorization: `Bearer ${vow.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    async stop() {
      await vow.stop();
      await database?.cleanup();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Presses Tab until `target` has the focus (at most `limit` times): it is reachable by keyboard, in order. */
export async function tabTo(page: Page, target: Locator, limit = 60): Promise<void> {
  for (let presses = 0; presses < limit; presses += 1) {
    const [focused, wanted] = await Promise.all([page.evaluateHandle('document.activeElement'), target.elementHandle({ timeout: 2_000 }).catch(() => null)]);
    if (wanted && (await page.evaluate(([a, b]) => a === b, [focused, wanted] as const))) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

/** The name of what has the focus (its accessible text), to follow the keyboard. */
export function focusedText(page: Page): Promise<string> {
  return page.evaluate<string>("(document.activeElement?.textContent ?? '').trim()");
}

/**
 * The checks every state passes: no axe-core violation; at 375 px nothing wider than the
 * screen but the tables' own scrolling regions; a screenshot of both widths.
 */
export async function checkState(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`), `axe on ${name}`).toEqual([]);
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const wide = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 800 });
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  expect(overflow, `${name} is wider than 375 px`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: join(shots, `${name}-375.png`), fullPage: true });
  if (wide) await page.setViewportSize(wide);
}
