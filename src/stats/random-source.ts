/**
 * Sources of randomness for the differential-privacy samplers, speaking only integers:
 * a uniform integer below a bound and a Bernoulli trial with a rational probability.
 * Both are exact, drawing whole bytes and rejecting draws that would bias the result
 * (never `random % n`, never a float in [0, 1)).
 *
 * Releases use `cryptoRandomSource()`. `seededRandomSource(seed)` is deterministic and
 * exists for tests only: noise an attacker can recompute protects nothing.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';

export interface RandomSource {
  /** A uniform integer in [0, n); `n` must be at least 1. */
  uniformBelow(n: bigint): bigint;
  /** True with probability exactly numerator / denominator (0 ≤ numerator ≤ denominator, denominator ≥ 1). */
  bernoulli(numerator: bigint, denominator: bigint): boolean;
}

/** `crypto.randomInt` takes ranges below 2^48; larger ones go through `randomBytes`. */
const RANDOM_INT_LIMIT = 1n << 48n;

/**
 * The source for releases: Node's CSPRNG. Small ranges use `crypto.randomInt` (which
 * rejects biased draws itself); larger ranges draw just enough random bytes, mask them to
 * the bit length of n − 1 and reject values ≥ n, so each try succeeds with probability
 * above 1/2.
 *
 * @example
 * const rng = cryptoRandomSource();
 * rng.uniformBelow(6n); // 0n … 5n
 * rng.bernoulli(1n, 3n); // true a third of the time
 */
export function cryptoRandomSource(): RandomSource {
  const uniformBelow = (n: bigint): bigint => {
    checkBound(n);
    if (n === 1n) return 0n;
    if (n < RANDOM_INT_LIMIT) return BigInt(randomInt(Number(n)));
    return rejectionSample(n, (count) => randomBytes(count));
  };
  return { uniformBelow, bernoulli: (numerator, denominator) => bernoulliFrom(uniformBelow, numerator, denominator) };
}

/**
 * A deterministic source for tests only (never for releases): SHA-256 in counter mode,
 * block i = SHA-256(seed ‖ i as 8 big-endian bytes), read as a byte stream and turned into
 * integers by the same masking-and-rejection as the crypto source, so it is exact too.
 * The same seed always yields the same sequence.
 *
 * @example
 * const rng = seededRandomSource('discrete-laplace test');
 * rng.uniformBelow(10n); // the same value on every run
 */
export function seededRandomSource(seed: string | Uint8Array): RandomSource {
  const seedBytes = typeof seed === 'string' ? Buffer.from(seed, 'utf8') : Buffer.from(seed);
  let counter = 0n;
  let block: Buffer = Buffer.alloc(0);
  let offset = 0;

  const nextBlock = (): Buffer => {
    const counterBytes = Buffer.alloc(8);
    counterBytes.writeBigUInt64BE(counter);
    counter += 1n;
    return createHash('sha256').update(seedBytes).update(counterBytes).digest();
  };

  const take = (count: number): Buffer => {
    const out = Buffer.alloc(count);
    let filled = 0;
    while (filled < count) {
      if (offset === block.length) {
        block = nextBlock();
        offset = 0;
      }
      const chunk = Math.min(count - filled, block.length - offset);
      block.copy(out, filled, offset, offset + chunk);
      filled += chunk;
      offset += chunk;
    }
    return out;
  };

  const uniformBelow = (n: bigint): bigint => {
    checkBound(n);
    if (n === 1n) return 0n;
    return rejectionSample(n, take);
  };
  return { uniformBelow, bernoulli: (numerator, denominator) => bernoulliFrom(uniformBelow, numerator, denominator) };
}

/** Bernoulli(numerator / denominator) as "a uniform integer below the denominator falls below the numerator". */
function bernoulliFrom(uniformBelow: (n: bigint) => bigint, numerator: bigint, denominator: bigint): boolean {
  if (denominator < 1n || numerator < 0n || numerator > denominator) {
    throw new RangeError(`bernoulli needs 0 ≤ numerator ≤ denominator and denominator ≥ 1, got ${numerator}/${denominator}`);
  }
  if (numerator === 0n) return false;
  if (numerator === denominator) return true;
  return uniformBelow(denominator) < numerator;
}

function checkBound(n: bigint): void {
  if (n < 1n) throw new RangeError(`uniformBelow needs n ≥ 1, got ${n}`);
}

/**
 * A uniform integer in [0, n) from a stream of random bytes: draw ⌈bits/8⌉ bytes, clear
 * the bits above the bit length of n − 1, and try again if the value is ≥ n.
 */
function rejectionSample(n: bigint, take: (count: number) => Buffer): bigint {
  const bits = bitLength(n - 1n);
  const byteCount = (bits + 7) >> 3;
  const topMask = 0xff >> (byteCount * 8 - bits);
  for (;;) {
    const bytes = take(byteCount);
    bytes[0] = (bytes[0] ?? 0) & topMask;
    let value = 0n;
    for (const byte of bytes) value = (value << 8n) | BigInt(byte);
    if (value < n) return value;
  }
}

/** The number of bits needed to write a non-negative `value` (0 for 0). */
function bitLength(value: bigint): number {
  let bits = 0;
  let rest = value;
  while (rest >= 1n << 32n) {
    rest >>= 32n;
    bits += 32;
  }
  while (rest > 0n) {
    rest >>= 1n;
    bits += 1;
  }
  return bits;
}
