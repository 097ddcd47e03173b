/**
 * Noise mechanisms for integer counts and sums: which distribution, with which exact
 * parameter, for a privacy parameter and a sensitivity, and adding a sample of it.
 *
 * - Discrete Laplace with scale Δ₁/ε is ε-differentially private for a query whose value
 *   changes by at most Δ₁ (L1 sensitivity) when one subject's data changes.
 * - Discrete Gaussian with σ² = Δ₂²/(2ρ) is ρ-zero-concentrated DP (CKS 2020)
 *   for L2 sensitivity Δ₂; it is parameterised by Δ₂² so that √ never has to be rounded.
 */
import { rational, sampleDiscreteGaussian, sampleDiscreteLaplace, type Rational } from './discrete-samplers.js';
import type { RandomSource } from './random-source.js';

export interface DiscreteLaplaceMechanism {
  readonly kind: 'discrete-laplace';
  /** The scale b: P(noise = x) ∝ exp(−|x|/b). */
  readonly scale: Rational;
}

export interface DiscreteGaussianMechanism {
  readonly kind: 'discrete-gaussian';
  /** The parameter σ²: P(noise = x) ∝ exp(−x²/(2σ²)). */
  readonly sigma2: Rational;
}

export type NoiseMechanism = DiscreteLaplaceMechanism | DiscreteGaussianMechanism;

/**
 * Discrete Laplace noise giving ε-DP to a count or sum with L1 sensitivity `sensitivity`
 * (for bounded contributions: max cells per subject × max value): scale = Δ₁/ε.
 *
 * @example
 * laplaceNoiseForCount(parseRational('0.5'), 1n); // { kind: 'discrete-laplace', scale: 2/1 }
 */
export function laplaceNoiseForCount(epsilon: Rational, sensitivity: bigint): DiscreteLaplaceMechanism {
  checkPositive('epsilon', epsilon);
  if (sensitivity < 1n) throw new RangeError(`sensitivity must be at least 1, got ${sensitivity}`);
  return { kind: 'discrete-laplace', scale: rational(sensitivity * epsilon.den, epsilon.num) };
}

/**
 * σ² for discrete Gaussian noise giving ρ-zCDP to a query whose L2 sensitivity squared is
 * `l2SensitivitySquared` (for bounded contributions: max cells per subject × max value²):
 * σ² = Δ₂²/(2ρ).
 *
 * @example
 * gaussianSigma2For(parseRational('0.5'), 1n); // 1/1
 */
export function gaussianSigma2For(rho: Rational, l2SensitivitySquared: bigint): Rational {
  checkPositive('rho', rho);
  if (l2SensitivitySquared < 1n) throw new RangeError(`the squared sensitivity must be at least 1, got ${l2SensitivitySquared}`);
  return rational(l2SensitivitySquared * rho.den, 2n * rho.num);
}

/** Discrete Gaussian noise giving ρ-zCDP; see `gaussianSigma2For`. */
export function gaussianNoiseForCount(rho: Rational, l2SensitivitySquared: bigint): DiscreteGaussianMechanism {
  return { kind: 'discrete-gaussian', sigma2: gaussianSigma2For(rho, l2SensitivitySquared) };
}

/**
 * `value` plus one exact sample of the mechanism's noise. Pass `cryptoRandomSource()` for
 * anything released.
 *
 * @example
 * addNoise(42n, laplaceNoiseForCount(parseRational('1'), 1n), cryptoRandomSource()); // e.g. 41n
 */
export function addNoise(value: bigint, mechanism: NoiseMechanism, rng: RandomSource): bigint {
  switch (mechanism.kind) {
    case 'discrete-laplace':
      return value + sampleDiscreteLaplace(mechanism.scale.num, mechanism.scale.den, rng);
    case 'discrete-gaussian':
      return value + sampleDiscreteGaussian(mechanism.sigma2.num, mechanism.sigma2.den, rng);
  }
}

function checkPositive(name: string, value: Rational): void {
  if (value.den < 1n || value.num < 1n) throw new RangeError(`${name} must be positive, got ${value.num}/${value.den}`);
}
