import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { VowError } from '../errors.js';
import {
  bernoulliExpMinus,
  integerSquareRoot,
  parseRational,
  rational,
  sampleDiscreteGaussian,
  sampleDiscreteLaplace,
} from './discrete-samplers.js';
import { addNoise, gaussianNoiseForCount, gaussianSigma2For, laplaceNoiseForCount } from './mechanisms.js';
import { cryptoRandomSource, seededRandomSource, type RandomSource } from './random-source.js';

// The exact distributions are computed here, in floating point, only to judge the samplers.

const SAMPLES = 20_000;

/** A normalised pmf on the integers from an unnormalised weight, summed over |x| ≤ reach. */
function pmfOf(weight: (x: number) => number, reach: number): (x: number) => number {
  let total = 0;
  for (let x = -reach; x <= reach; x += 1) total += weight(x);
  return (x) => weight(x) / total;
}

const laplacePmf = (scale: number) => pmfOf((x) => Math.exp(-Math.abs(x) / scale), Math.ceil(80 * scale) + 80);
const gaussianPmf = (sigma2: number) => pmfOf((x) => Math.exp(-(x * x) / (2 * sigma2)), Math.ceil(40 * Math.sqrt(sigma2)) + 40);

/**
 * Pearson's chi-square statistic of integer samples against a symmetric unimodal pmf, one
 * bin per value in the window where at least 5 samples are expected, the two outermost
 * bins also taking their tails.
 */
function chiSquare(samples: readonly bigint[], pmf: (x: number) => number): { statistic: number; degreesOfFreedom: number } {
  const n = samples.length;
  let edge = 0;
  while (n * pmf(edge + 1) >= 5) edge += 1;
  const observed = new Map<number, number>();
  for (const sample of samples) {
    const x = Math.max(-edge, Math.min(edge, Number(sample)));
    observed.set(x, (observed.get(x) ?? 0) + 1);
  }
  let tail = 0;
  for (let x = edge + 1; n * pmf(x) > 1e-12; x += 1) tail += pmf(x);
  let statistic = 0;
  for (let x = -edge; x <= edge; x += 1) {
    const expected = n * (pmf(x) + (Math.abs(x) === edge && edge > 0 ? tail : 0));
    statistic += ((observed.get(x) ?? 0) - expected) ** 2 / expected;
  }
  return { statistic, degreesOfFreedom: 2 * edge };
}

/**
 * A deliberately generous critical value: the Wilson–Hilferty approximation of the
 * chi-square quantile at z = 6 (a false alarm about once in a billion runs).
 */
function criticalValue(degreesOfFreedom: number): number {
  const k = degreesOfFreedom;
  return k * (1 - 2 / (9 * k) + 6 * Math.sqrt(2 / (9 * k))) ** 3;
}

function draw(count: number, sample: () => bigint): bigint[] {
  return Array.from({ length: count }, sample);
}

function expectMatches(samples: readonly bigint[], pmf: (x: number) => number): void {
  const { statistic, degreesOfFreedom } = chiSquare(samples, pmf);
  expect(degreesOfFreedom).toBeGreaterThan(0);
  expect(statistic).toBeLessThan(criticalValue(degreesOfFreedom));
}

function expectSymmetric(samples: readonly bigint[]): void {
  const positive = samples.filter((x) => x > 0n).length;
  const negative = samples.filter((x) => x < 0n).length;
  expect(Math.abs(positive - negative)).toBeLessThan(6 * Math.sqrt(positive + negative));
}

function moments(samples: readonly bigint[]): { mean: number; variance: number } {
  const values = samples.map(Number);
  const mean = values.reduce((sum, x) => sum + x, 0) / values.length;
  const variance = values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (values.length - 1);
  return { mean, variance };
}

function varianceOf(pmf: (x: number) => number, reach: number): number {
  let variance = 0;
  for (let x = -reach; x <= reach; x += 1) variance += x * x * pmf(x);
  return variance;
}

describe('the random sources', () => {
  it('draw uniform integers, small and beyond 2^48', () => {
    for (const rng of [seededRandomSource('uniform'), cryptoRandomSource()]) {
      const counts = new Map<bigint, number>();
      for (let i = 0; i < 6000; i += 1) {
        const face = rng.uniformBelow(6n);
        counts.set(face, (counts.get(face) ?? 0) + 1);
      }
      expect([...counts.keys()].sort()).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
      const statistic = [...counts.values()].reduce((sum, c) => sum + (c - 1000) ** 2 / 1000, 0);
      expect(statistic).toBeLessThan(criticalValue(5));

      const big = (1n << 70n) + 12345n;
      const draws = draw(200, () => rng.uniformBelow(big));
      expect(draws.every((x) => x >= 0n && x < big)).toBe(true);
      expect(draws.filter((x) => x >= 1n << 69n).length).toBeGreaterThan(60);
      expect(rng.uniformBelow(1n)).toBe(0n);
    }
  });

  it('make exact Bernoulli trials and refuse impossible ones', () => {
    const rng = seededRandomSource('bernoulli');
    expect(draw(100, () => (rng.bernoulli(0n, 7n) ? 1n : 0n)).every((x) => x === 0n)).toBe(true);
    expect(draw(100, () => (rng.bernoulli(7n, 7n) ? 1n : 0n)).every((x) => x === 1n)).toBe(true);
    expect(() => rng.bernoulli(8n, 7n)).toThrow(RangeError);
    expect(() => rng.uniformBelow(0n)).toThrow(RangeError);
  });

  it('repeat for the same seed and differ for another', () => {
    const sequence = (seed: string) => {
      const rng = seededRandomSource(seed);
      return draw(50, () => rng.uniformBelow(1_000_000n));
    };
    expect(sequence('a')).toEqual(sequence('a'));
    expect(sequence('a')).not.toEqual(sequence('b'));
  });
});

describe('bernoulliExpMinus', () => {
  const rng = seededRandomSource('bernoulli-exp-minus');
  it.each([
    ['0', 0n, 1n],
    ['1/10', 1n, 10n],
    ['1/2', 1n, 2n],
    ['1', 1n, 1n],
    ['3/2', 3n, 2n],
    ['7/3', 7n, 3n],
    ['5', 5n, 1n],
  ])('is true with probability exp(−%s)', (_label, num, den) => {
    const p = Math.exp(-Number(num) / Number(den));
    let hits = 0;
    for (let i = 0; i < SAMPLES; i += 1) if (bernoulliExpMinus(num, den, rng)) hits += 1;
    if (num === 0n) expect(hits).toBe(SAMPLES);
    expect(Math.abs(hits / SAMPLES - p)).toBeLessThan(6 * Math.sqrt((p * (1 - p)) / SAMPLES) + 1e-9);
  });

  it('refuses a negative γ', () => {
    expect(() => bernoulliExpMinus(-1n, 2n, rng)).toThrow(RangeError);
  });
});

describe('the discrete Laplace sampler', () => {
  it.each([
    ['3', 3n, 1n],
    ['5/2', 5n, 2n],
    ['1/3', 1n, 3n],
    ['40', 40n, 1n],
  ])('matches the discrete Laplace pmf with scale %s (chi-square) and is symmetric', (label, num, den) => {
    const rng = seededRandomSource(`laplace ${label}`);
    const samples = draw(SAMPLES, () => sampleDiscreteLaplace(num, den, rng));
    expectMatches(samples, laplacePmf(Number(num) / Number(den)));
    expectSymmetric(samples);
  });

  it('fails the same test against a scale 20% off, so the test has power', () => {
    const rng = seededRandomSource('laplace power');
    const samples = draw(SAMPLES, () => sampleDiscreteLaplace(3n, 1n, rng));
    const { statistic, degreesOfFreedom } = chiSquare(samples, laplacePmf(3.6));
    expect(statistic).toBeGreaterThan(criticalValue(degreesOfFreedom));
  });

  it('refuses a zero scale', () => {
    expect(() => sampleDiscreteLaplace(0n, 1n, seededRandomSource('x'))).toThrow(RangeError);
  });
});

describe('the discrete Gaussian sampler', () => {
  it.each([
    ['10', 10n, 1n],
    ['1/2', 1n, 2n],
    ['25/4', 25n, 4n],
    ['10000', 10_000n, 1n],
  ])('matches the discrete Gaussian pmf with σ² = %s (chi-square) and is symmetric', (label, num, den) => {
    const rng = seededRandomSource(`gaussian ${label}`);
    const samples = draw(SAMPLES, () => sampleDiscreteGaussian(num, den, rng));
    expectMatches(samples, gaussianPmf(Number(num) / Number(den)));
    expectSymmetric(samples);
  });

  it('fails the same test against a σ² 20% off, so the test has power', () => {
    const rng = seededRandomSource('gaussian power');
    const samples = draw(SAMPLES, () => sampleDiscreteGaussian(10n, 1n, rng));
    const { statistic, degreesOfFreedom } = chiSquare(samples, gaussianPmf(12));
    expect(statistic).toBeGreaterThan(criticalValue(degreesOfFreedom));
  });
});

describe('with the crypto source', () => {
  const rng: RandomSource = cryptoRandomSource();
  it.each([
    ['discrete Laplace, scale 3', () => sampleDiscreteLaplace(3n, 1n, rng), laplacePmf(3), 400],
    ['discrete Gaussian, σ² = 10', () => sampleDiscreteGaussian(10n, 1n, rng), gaussianPmf(10), 200],
  ])('the %s has mean ≈ 0 and variance within 10% of theory', (_label, sample, pmf, reach) => {
    const theory = varianceOf(pmf, reach);
    const { mean, variance } = moments(draw(SAMPLES, sample));
    expect(Math.abs(mean)).toBeLessThan(6 * Math.sqrt(theory / SAMPLES));
    expect(Math.abs(variance / theory - 1)).toBeLessThan(0.1);
  });
});

describe('parseRational', () => {
  it.each([
    ['0.5', 1n, 2n],
    ['0.1', 1n, 10n],
    ['2', 2n, 1n],
    ['0', 0n, 1n],
    ['1.250', 5n, 4n],
    ['0.000001', 1n, 1_000_000n],
    ['1/3', 1n, 3n],
    ['6/4', 3n, 2n],
    ['123456789012345678901234567890.5', 246913578024691357802469135781n, 2n],
  ])('reads %s exactly', (text, num, den) => {
    expect(parseRational(text)).toEqual({ num, den });
  });

  it.each(['', '-1', '.5', '1.', '1e-3', '0x10', '1/0', ' 1', 'NaN', 'Infinity', '1'.repeat(65)])('refuses %j', (text) => {
    expect(() => parseRational(text)).toThrow(VowError);
  });

  it('keeps rationals in lowest terms with a positive denominator', () => {
    expect(rational(-4n, -6n)).toEqual({ num: 2n, den: 3n });
    expect(rational(4n, -6n)).toEqual({ num: -2n, den: 3n });
    expect(rational(0n, 5n)).toEqual({ num: 0n, den: 1n });
    expect(() => rational(1n, 0n)).toThrow(RangeError);
  });

  it('integerSquareRoot is exact far beyond doubles', () => {
    for (const value of [0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, 10n ** 40n - 1n, 10n ** 40n, (1n << 127n) + 5n]) {
      const root = integerSquareRoot(value);
      expect(root * root <= value && (root + 1n) * (root + 1n) > value).toBe(true);
    }
  });
});

describe('the mechanisms', () => {
  it('scale the discrete Laplace by sensitivity / epsilon', () => {
    expect(laplaceNoiseForCount(parseRational('0.5'), 1n)).toEqual({ kind: 'discrete-laplace', scale: { num: 2n, den: 1n } });
    expect(laplaceNoiseForCount(parseRational('0.3'), 4n)).toEqual({ kind: 'discrete-laplace', scale: { num: 40n, den: 3n } });
    expect(() => laplaceNoiseForCount(parseRational('0'), 1n)).toThrow(RangeError);
    expect(() => laplaceNoiseForCount(parseRational('1'), 0n)).toThrow(RangeError);
  });

  it('set σ² = Δ₂² / (2ρ) for the discrete Gaussian', () => {
    expect(gaussianSigma2For(parseRational('0.5'), 1n)).toEqual({ num: 1n, den: 1n });
    expect(gaussianSigma2For(parseRational('0.04'), 3n)).toEqual({ num: 75n, den: 2n });
    expect(gaussianNoiseForCount(parseRational('0.5'), 4n)).toEqual({ kind: 'discrete-gaussian', sigma2: { num: 4n, den: 1n } });
  });

  it('add an integer sample of the noise to the value', () => {
    const same = (mechanism: Parameters<typeof addNoise>[1]) => {
      const a = seededRandomSource('add');
      const b = seededRandomSource('add');
      return [addNoise(1000n, mechanism, a), 1000n + addNoise(0n, mechanism, b)];
    };
    const [laplace, laplaceAgain] = same(laplaceNoiseForCount(parseRational('1'), 1n));
    expect(laplace).toBe(laplaceAgain);
    const [gaussian, gaussianAgain] = same(gaussianNoiseForCount(parseRational('1'), 1n));
    expect(gaussian).toBe(gaussianAgain);
  });
});

describe('the statistics code', () => {
  const folder = dirname(fileURLToPath(import.meta.url));
  const sources = readdirSync(folder)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => join(folder, name));

  it('never uses Math.random or floating-point exponentials and logarithms', () => {
    expect(sources.length).toBeGreaterThanOrEqual(5);
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const banned of ['Math.random', 'Math.exp', 'Math.log', 'Math.sqrt', 'Math.pow', 'parseFloat']) {
        expect(text.includes(banned), `${file} uses ${banned}`).toBe(false);
      }
    }
  });

  // Without the standard library or @types/node (fast), anything typed from them is
  // `any` and so counts as not a bigint: the check fails closed.
  it('divides only bigints (no floating division)', () => {
    const program = ts.createProgram(sources, {
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      noLib: true,
      noResolve: true,
      types: [],
    });
    const checker = program.getTypeChecker();
    const divisions: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isBinaryExpression(node)) {
        const operator = node.operatorToken.kind;
        if (operator === ts.SyntaxKind.SlashToken || operator === ts.SyntaxKind.SlashEqualsToken) {
          const operands = [node.left, node.right].map((side) => checker.getTypeAtLocation(side));
          if (!operands.every((type) => (type.flags & ts.TypeFlags.BigIntLike) !== 0)) {
            const source = node.getSourceFile();
            const { line } = source.getLineAndCharacterOfPosition(node.getStart());
            divisions.push(`${source.fileName}:${line + 1}: ${node.getText()}`);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    let checked = 0;
    for (const file of sources) {
      const source = program.getSourceFile(file);
      if (!source) continue;
      checked += 1;
      visit(source);
    }
    expect(checked).toBe(sources.length);
    expect(divisions).toEqual([]);
  });
});
