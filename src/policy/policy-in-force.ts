/**
 * The policy in force: the latest published version, which every running process
 * enforces. A server holds it in a `LivePolicy` that looks for a newer version every
 * second (one indexed read of one row) and swaps it in between requests, so a
 * publication from any process, or from `vow policy publish`, reaches every server on
 * the same database within about a second, without a restart. Use cases read
 * `current()` synchronously: a request never waits for the database to learn the policy.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Declaration } from './declaration.js';
import { findFirstNumber, findLastMaterialNumber, findLatestVersion, findVersion } from './policy-version.repository.js';
import type { PolicyVersion } from './policy-version.js';

export interface PolicyInForce {
  version: PolicyVersion;
  declaration: Declaration;
  /** The newest material version, or the first when none was: a consent decision made before it is asked again. */
  lastMaterialVersion: number;
}

/** Where use cases read the policy from: live in a server, fixed in a one-shot command or a test. */
export interface PolicySource {
  current(): PolicyInForce;
}

export interface LivePolicy extends PolicySource {
  /** Reads the latest version now; true when it changed. Runs by itself every `intervalMs`. */
  refresh(): Promise<boolean>;
  /** Called after a newer version was swapped in (caches derived from the old one are dropped there). */
  onChange(listener: (policy: PolicyInForce, previous: PolicyInForce) => void): void;
  stop(): void;
}

/** The latest published version with its declaration, or undefined before the first publication. */
export async function readPolicyInForce(db: Kysely<Database>): Promise<PolicyInForce | undefined> {
  const latest = await findLatestVersion(db);
  if (!latest) return undefined;
  const found = await findVersion(db, latest.number);
  if (!found) return undefined;
  const lastMaterialVersion = (await findLastMaterialNumber(db)) ?? (await findFirstNumber(db)) ?? latest.number;
  const { declaration, ...version } = found;
  return { version, declaration, lastMaterialVersion };
}

export function fixedPolicy(policy: PolicyInForce): PolicySource {
  return { current: () => policy };
}

export interface WatchPolicyOptions {
  /** Milliseconds between looks for a newer version. Default 1,000. */
  intervalMs?: number;
  /** Told of a failed look (the database unreachable a moment); the policy in force stays. */
  onError?: (error: unknown) => void;
}

/**
 * Follows the latest published version. Fails when nothing is published yet: a server
 * publishes before it watches.
 *
 *   const policy = await watchPolicy(db);
 *   policy.current().version.number // 3
 */
export async function watchPolicy(db: Kysely<Database>, options: WatchPolicyOptions = {}): Promise<LivePolicy> {
  const first = await readPolicyInForce(db);
  if (!first) throw new Error('no policy version is published');
  let current = first;
  const listeners: ((policy: PolicyInForce, previous: PolicyInForce) => void)[] = [];
  let running: Promise<boolean> | undefined;

  const look = async (): Promise<boolean> => {
    const latest = await findLatestVersion(db);
    if (!latest || latest.number === current.version.number) return false;
    const next = await readPolicyInForce(db);
    if (!next || next.version.number <= current.version.number) return false;
    const previous = current;
    current = next;
    for (const listener of listeners) listener(next, previous);
    return true;
  };
  const refresh = () => {
    running ??= look().finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = setInterval(() => {
    refresh().catch((error: unknown) => options.onError?.(error));
  }, options.intervalMs ?? 1_000);
  timer.unref();

  return {
    current: () => current,
    refresh,
    onChange(listener) {
      listeners.push(listener);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
