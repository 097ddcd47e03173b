/**
 * Declarations now arrive over HTTP (the console's preview and publishing), so the parser
 * meets hostile text: nesting meant to exhaust its stack, undefined aliases, alias bombs.
 * Each is a problem named at once, never a crash, an exception or a long stall.
 */
import { describe, expect, it } from 'vitest';
import { parseDeclaration } from './load-declaration.js';

const problemOf = (text: string) => {
  const result = parseDeclaration(text);
  expect(result.ok).toBe(false);
  return result.ok ? '' : (result.problems[0]?.message ?? '');
};

describe('a declaration built to break the parser', () => {
  it('refuses nesting deeper than any declaration, before the YAML parser recurses into it, however often', () => {
    for (let round = 0; round < 3; round += 1) {
      const started = performance.now();
      expect(problemOf('- '.repeat(200_000))).toContain('nested more than 64 levels deep');
      expect(problemOf('['.repeat(5_000))).toContain('nested more than 64 levels deep');
      expect(problemOf('{a: '.repeat(2_000))).toContain('nested more than 64 levels deep');
      expect(problemOf(`${' '.repeat(300)}a: 1`)).toContain('nested more than 64 levels deep');
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it('names an undefined alias and an alias bomb as problems instead of throwing', () => {
    expect(problemOf('organization: *nowhere')).toMatch(/alias|nowhere/i);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((name, index) => `${name}: &${name} [${Array.from({ length: 10 }, () => `*${'abcdefgh'[index]}`).join(', ')}]`)].join('\n');
    expect(problemOf(bomb)).toMatch(/alias|resource|excessive/i);
  });
});
