/**
 * The privacy-budget ledger's arithmetic: each release's epsilon is added to what the
 * data set has spent, and a release that would take the total past its budget is refused.
 * Exact rationals throughout, so ten releases at 0.1 spend exactly 1 and can never be let
 * through by a rounding error (in doubles, 0.1 added ten times is 0.9999999999999999).
 */
import { rational, type Rational } from './discrete-samplers.js';

export interface BudgetLedger {
  /** The data set's whole budget. */
  total: Rational;
  /** What releases have spent so far. */
  spent: Rational;
}

export type BudgetCharge = { ok: true; spent: Rational } | { ok: false; remaining: Rational };

/**
 * Charges `cost` to the ledger: `{ ok: true, spent }` with the new amount spent when
 * spent + cost ≤ total, otherwise `{ ok: false, remaining }` and nothing changes. The
 * caller stores `spent`, in the same transaction as the release it pays for.
 *
 * @example
 * chargeBudget({ total: parseRational('1'), spent: parseRational('0.9') }, parseRational('0.1'));
 * // { ok: true, spent: { num: 1n, den: 1n } }
 */
export function chargeBudget(ledger: BudgetLedger, cost: Rational): BudgetCharge {
  checkNonNegative('cost', cost);
  checkNonNegative('total', ledger.total);
  checkNonNegative('spent', ledger.spent);
  const spent = addRational(ledger.spent, cost);
  if (compareRational(spent, ledger.total) <= 0) return { ok: true, spent };
  return { ok: false, remaining: remainingBudget(ledger) };
}

/** total − spent, or 0 when the ledger is already overspent. */
export function remainingBudget(ledger: BudgetLedger): Rational {
  const remaining = subtractRational(ledger.total, ledger.spent);
  return remaining.num < 0n ? rational(0n) : remaining;
}

/**
 * Writes a rational exactly: as a decimal when it has a finite one ("0.5", "1.25", "3"),
 * otherwise as a fraction ("1/3"). `parseRational` reads both forms back (for
 * non-negative values).
 */
export function formatRational(value: Rational): string {
  const { num, den } = rational(value.num, value.den);
  const sign = num < 0n ? '-' : '';
  const magnitude = num < 0n ? -num : num;
  let digits = 0;
  let scale = 1n;
  while (scale % den !== 0n) {
    if (digits === MAX_DECIMAL_DIGITS) return `${num}/${den}`;
    scale *= 10n;
    digits += 1;
  }
  const scaled = (magnitude * scale) / den;
  if (digits === 0) return `${sign}${scaled}`;
  const text = scaled.toString().padStart(digits + 1, '0');
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** Fractions whose decimal would run longer than this are written as fractions. */
const MAX_DECIMAL_DIGITS = 30;

export function addRational(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function subtractRational(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den - b.num * a.den, a.den * b.den);
}

/** −1, 0 or 1 as a is less than, equal to or greater than b. */
export function compareRational(a: Rational, b: Rational): -1 | 0 | 1 {
  const x = rational(a.num, a.den);
  const y = rational(b.num, b.den);
  const left = x.num * y.den;
  const right = y.num * x.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

function checkNonNegative(name: string, value: Rational): void {
  if (value.den === 0n || compareRational(value, rational(0n)) < 0) {
    throw new RangeError(`${name} must be a non-negative rational, got ${value.num}/${value.den}`);
  }
}
