import { describe, expect, it } from 'vitest';
import { parseRational, rational } from './discrete-samplers.js';
import { addRational, chargeBudget, compareRational, formatRational, remainingBudget, type BudgetLedger } from './privacy-budget.js';

describe('chargeBudget', () => {
  it('spends exactly 1 after ten charges of 0.1, then refuses the eleventh', () => {
    const total = parseRational('1');
    let spent = parseRational('0');
    for (let release = 0; release < 10; release += 1) {
      const charge = chargeBudget({ total, spent }, parseRational('0.1'));
      if (!charge.ok) throw new Error(`release ${release} refused`);
      spent = charge.spent;
    }
    expect(spent).toEqual({ num: 1n, den: 1n });
    expect(chargeBudget({ total, spent }, parseRational('0.1'))).toEqual({ ok: false, remaining: { num: 0n, den: 1n } });
  });

  it('refuses a charge past the budget and reports what remains, unchanged', () => {
    const ledger: BudgetLedger = { total: parseRational('1'), spent: parseRational('0.7') };
    expect(chargeBudget(ledger, parseRational('0.4'))).toEqual({ ok: false, remaining: { num: 3n, den: 10n } });
    expect(chargeBudget(ledger, parseRational('0.3'))).toEqual({ ok: true, spent: { num: 1n, den: 1n } });
    expect(ledger.spent).toEqual({ num: 7n, den: 10n });
  });

  it('counts thirds exactly where floats would drift', () => {
    const third = parseRational('1/3');
    let spent = rational(0n);
    for (let i = 0; i < 3; i += 1) {
      const charge = chargeBudget({ total: parseRational('1'), spent }, third);
      expect(charge.ok).toBe(true);
      if (charge.ok) spent = charge.spent;
    }
    expect(spent).toEqual({ num: 1n, den: 1n });
    expect(chargeBudget({ total: parseRational('1'), spent }, parseRational('0.000001')).ok).toBe(false);
  });

  it('refuses negative costs and ledgers', () => {
    const ledger = { total: parseRational('1'), spent: parseRational('0') };
    expect(() => chargeBudget(ledger, rational(-1n, 10n))).toThrow(RangeError);
    expect(() => chargeBudget({ ...ledger, spent: rational(-1n) }, parseRational('0.1'))).toThrow(RangeError);
  });

  it('reports no budget remaining for an overspent ledger', () => {
    expect(remainingBudget({ total: parseRational('1'), spent: parseRational('1.5') })).toEqual({ num: 0n, den: 1n });
  });
});

describe('rational arithmetic', () => {
  it('adds and compares exactly', () => {
    expect(addRational(parseRational('0.1'), parseRational('0.2'))).toEqual(parseRational('0.3'));
    expect(compareRational(parseRational('1/3'), parseRational('0.333333333333333333'))).toBe(1);
    expect(compareRational(parseRational('2/4'), parseRational('0.5'))).toBe(0);
    expect(compareRational({ num: 1n, den: -2n }, { num: 0n, den: 1n })).toBe(-1);
  });
});

describe('formatRational', () => {
  it.each([
    ['0.5', 1n, 2n],
    ['0.1', 1n, 10n],
    ['3', 3n, 1n],
    ['0', 0n, 1n],
    ['1.25', 5n, 4n],
    ['0.000001', 1n, 1_000_000n],
    ['-0.75', -3n, 4n],
    ['1/3', 1n, 3n],
    ['7/6', 7n, 6n],
  ])('writes %s', (text, num, den) => {
    expect(formatRational({ num, den })).toBe(text);
  });

  it('round-trips through parseRational', () => {
    for (const text of ['0.5', '0.1', '12.375', '1/3', '22/7', '0.0001', '1000']) {
      expect(formatRational(parseRational(text))).toBe(text);
    }
  });
});
