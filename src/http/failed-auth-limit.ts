/**
 * A cap on failed authentications per client address, so that no one can try keys as
 * fast as the server answers: after `max` failures within a window, every request from
 * that address to an authenticated route is refused (429) until the window ends, before
 * its key is even looked up. Kept per process, like the other rate limits (README).
 */
import { LruCache } from '../lru-cache.js';

export interface FailedAuthLimit {
  /** Whether this address has failed too often in the current window. */
  blocked(address: string, nowMs: number): boolean;
  failed(address: string, nowMs: number): void;
}

export function createFailedAuthLimit(options: { max?: number; windowMs?: number; addresses?: number } = {}): FailedAuthLimit {
  const max = options.max ?? 20;
  const windowMs = options.windowMs ?? 60_000;
  // Bounded, so that a flood of spoofed-looking addresses cannot grow it without end.
  const windows = new LruCache<string, { startMs: number; failures: number }>(options.addresses ?? 10_000);
  const current = (address: string, nowMs: number) => {
    const window = windows.get(address);
    return window && nowMs - window.startMs < windowMs ? window : undefined;
  };
  return {
    blocked: (address, nowMs) => (current(address, nowMs)?.failures ?? 0) >= max,
    failed(address, nowMs) {
      const window = current(address, nowMs);
      if (window) window.failures += 1;
      else windows.set(address, { startMs: nowMs, failures: 1 });
    },
  };
}
