import { describe, expect, it } from 'vitest';
import { escapeUnstorable, findUnstorable } from './unicode-text.js';

describe('text the databases do not store alike', () => {
  it('is a NUL or a lone surrogate, never a surrogate pair, a 4-byte character or a bidirectional mark', () => {
    expect(findUnstorable('a\u0000b')).toBe('nul');
    expect(findUnstorable('\ud800')).toBe('lone-surrogate');
    expect(findUnstorable('x\udfff')).toBe('lone-surrogate');
    expect(findUnstorable('\udfff\ud800')).toBe('lone-surrogate');
    for (const fine of ['🤖', '𝕏', '\u202eevil\u202c', '\u2066isolate\u2069', 'é\u0301', '']) expect(findUnstorable(fine), fine).toBeUndefined();
  });

  it('is escaped as JSON writes it, every occurrence, and the rest is kept', () => {
    expect(escapeUnstorable('a\u0000b\u0000')).toBe('a\\u0000b\\u0000');
    expect(escapeUnstorable('\ud800🤖\udfff\ud800')).toBe('\\ud800🤖\\udfff\\ud800');
    expect(escapeUnstorable('𝕏\u202e')).toBe('𝕏\u202e');
    // The same call twice gives the same answer: the pattern keeps no state between calls.
    expect([findUnstorable('\ud800'), findUnstorable('\ud800')]).toEqual(['lone-surrogate', 'lone-surrogate']);
  });
});
