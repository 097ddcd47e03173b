/**
 * Exact samplers for differential-privacy noise: Bernoulli(exp(−γ)), the discrete
 * Laplace and the discrete Gaussian, after Canonne, Kamath & Steinke, "The Discrete
 * Gaussian for Differential Privacy" (NeurIPS 2020, arXiv:2004.00010), Algorithms 1–3.
 *
 * Why no floating point: textbook Laplace noise, −b·ln(U) with a double U, does not have
 * the distribution it claims. Doubles are unevenly spaced, so some outputs cannot occur
 * and others are too likely, and which ones depends on the true value; Mironov ("On
 * Significance of the Least Significant Bits for Differential Privacy", CCS 2012) shows
 * this can reveal the value exactly. These samplers instead use only integer and
 * rational arithmetic on bigint plus a `RandomSource` of uniform integers, so every
 * output has exactly the probability the proof assumes, and the noise is an integer that
 * is added to an integer count or sum.
 *
 * They are not constant-time: how many random draws a sample takes depends on its value.
 * Compute releases where the caller cannot time individual samples.
 */
import { VowError } from '../errors.js';
import type { RandomSource } from './random-source.js';

/** An exact rational number num/den; `rational()` keeps den ≥ 1 and the fraction in lowest terms. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

/** The rational num/den in lowest terms with a positive denominator. */
export function rational(num: bigint, den: bigint = 1n): Rational {
  if (den === 0n) throw new RangeError('a rational needs a non-zero denominator');
  const sign = den < 0n ? -1n : 1n;
  const divisor = gcd(num, den);
  return { num: (sign * num) / divisor, den: (sign * den) / divisor };
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const FRACTION = /^(\d+)\/(\d+)$/;
const MAX_RATIONAL_TEXT = 64;

/**
 * Reads a non-negative rational exactly from a decimal ("0.5", "2", "0.001") or a
 * fraction ("1/3"), as an epsilon or a budget would be written in configuration. Never
 * goes through a float, so "0.1" is exactly 1/10.
 *
 * @example
 * parseRational('0.5'); // { num: 1n, den: 2n }
 * parseRational('1/3'); // { num: 1n, den: 3n }
 */
export function parseRational(text: string): Rational {
  if (text.length <= MAX_RATIONAL_TEXT) {
    const decimal = DECIMAL.exec(text);
    if (decimal) {
      const [, whole = '0', fraction = ''] = decimal;
      return rational(BigInt(whole + fraction), 10n ** BigInt(fraction.length));
    }
    const fraction = FRACTION.exec(text);
    if (fraction) {
      const [, num = '0', den = '0'] = fraction;
      if (BigInt(den) !== 0n) return rational(BigInt(num), BigInt(den));
    }
  }
  throw new VowError('bad_request', `"${text.slice(0, MAX_RATIONAL_TEXT)}" is not a non-negative decimal (like 0.5) or fraction (like 1/3)`);
}

/**
 * Bernoulli(exp(−γ)) for a rational γ = gammaNum/gammaDen ≥ 0: CKS 2020, Algorithm 1.
 *
 * For γ ≤ 1: draw A₁ ~ Bernoulli(γ/1), A₂ ~ Bernoulli(γ/2), … until the first failure at
 * step K; the result is "K is odd", which has probability Σ (−γ)^k / k! = exp(−γ). For
 * γ > 1: ⌊γ⌋ independent Bernoulli(exp(−1)) trials and one Bernoulli(exp(−(γ − ⌊γ⌋)))
 * must all succeed. Only Bernoulli trials with rational probabilities are drawn.
 */
export function bernoulliExpMinus(gammaNum: bigint, gammaDen: bigint, rng: RandomSource): boolean {
  if (gammaDen < 1n || gammaNum < 0n) throw new RangeError(`bernoulliExpMinus needs γ ≥ 0, got ${gammaNum}/${gammaDen}`);
  if (gammaNum <= gammaDen) return bernoulliExpMinusAtMostOne(gammaNum, gammaDen, rng);
  const whole = gammaNum / gammaDen;
  for (let k = 0n; k < whole; k += 1n) {
    if (!bernoulliExpMinusAtMostOne(1n, 1n, rng)) return false;
  }
  return bernoulliExpMinusAtMostOne(gammaNum - whole * gammaDen, gammaDen, rng);
}

/** Algorithm 1 for 0 ≤ γ ≤ 1. */
function bernoulliExpMinusAtMostOne(gammaNum: bigint, gammaDen: bigint, rng: RandomSource): boolean {
  let k = 1n;
  while (rng.bernoulli(gammaNum, gammaDen * k)) k += 1n;
  return k % 2n === 1n;
}

/**
 * The discrete Laplace distribution on the integers with scale b = scaleNum/scaleDen > 0:
 * P(x) = (e^{1/b} − 1)/(e^{1/b} + 1) · e^{−|x|/b}. CKS 2020, Algorithm 2, with their t =
 * scaleNum and s = scaleDen.
 *
 * A geometric X with P(X = x) ∝ e^{−x/t} is built as U + t·V (U uniform below t, kept with
 * probability e^{−U/t}; V counts successes of Bernoulli(e^{−1})); Y = ⌊X/s⌋ is then
 * geometric with P(Y = y) ∝ e^{−y·s/t}, and a fair sign makes it two-sided, rejecting
 * "−0" so that 0 is not counted twice.
 *
 * @example
 * sampleDiscreteLaplace(2n, 1n, cryptoRandomSource()); // scale 2: ε = 0.5 for a count
 */
export function sampleDiscreteLaplace(scaleNum: bigint, scaleDen: bigint, rng: RandomSource): bigint {
  if (scaleNum < 1n || scaleDen < 1n) throw new RangeError(`sampleDiscreteLaplace needs a positive scale, got ${scaleNum}/${scaleDen}`);
  const { num: t, den: s } = rational(scaleNum, scaleDen);
  for (;;) {
    const u = rng.uniformBelow(t);
    if (!bernoulliExpMinus(u, t, rng)) continue;
    let v = 0n;
    while (bernoulliExpMinus(1n, 1n, rng)) v += 1n;
    const y = (u + t * v) / s;
    const negative = rng.bernoulli(1n, 2n);
    if (negative && y === 0n) continue;
    return negative ? -y : y;
  }
}

/**
 * The discrete Gaussian on the integers with parameter σ² = sigma2Num/sigma2Den > 0:
 * P(x) ∝ e^{−x²/(2σ²)}. CKS 2020, Algorithm 3: with t = ⌊σ⌋ + 1, draw Y from the discrete
 * Laplace with scale t and keep it with probability exp(−(|Y| − σ²/t)² / (2σ²)); that γ is
 * the rational (|Y|·d·t − n)² / (2·n·d·t²) for σ² = n/d, and ⌊σ⌋ is the integer square
 * root of ⌊σ²⌋, so no square root or exponential is ever rounded.
 *
 * @example
 * sampleDiscreteGaussian(25n, 2n, cryptoRandomSource()); // σ² = 12.5: ρ = 0.04 for a count
 */
export function sampleDiscreteGaussian(sigma2Num: bigint, sigma2Den: bigint, rng: RandomSource): bigint {
  if (sigma2Num < 1n || sigma2Den < 1n) throw new RangeError(`sampleDiscreteGaussian needs σ² > 0, got ${sigma2Num}/${sigma2Den}`);
  const { num: n, den: d } = rational(sigma2Num, sigma2Den);
  const t = integerSquareRoot(n / d) + 1n;
  const gammaDen = 2n * n * d * t * t;
  for (;;) {
    const y = sampleDiscreteLaplace(t, 1n, rng);
    const distance = (y < 0n ? -y : y) * d * t - n;
    if (bernoulliExpMinus(distance * distance, gammaDen, rng)) return y;
  }
}

/** ⌊√value⌋ for a non-negative bigint, by Newton's method on integers. */
export function integerSquareRoot(value: bigint): bigint {
  if (value < 0n) throw new RangeError('integerSquareRoot needs a non-negative value');
  if (value < 2n) return value;
  let x = value;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + value / x) / 2n;
  }
  return x;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}
