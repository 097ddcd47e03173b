import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/support/fixtures.js';
import { parseDeclaration } from './load-declaration.js';

describe('vow policy check lists every problem at once', () => {
  it('reports a schema fault and a reference fault elsewhere in one pass, each at its line in the file', () => {
    const result = parseDeclaration(readFileSync(fixture('broken-both.policy.yaml'), 'utf8'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { path: 'categories[1].fields[0].description', message: 'is required (string)', line: 38, column: 9 },
      // Index 2 as in the file, though the entry before it was set aside to check the rest.
      { path: 'categories[2].purposes[0]', message: 'undeclared purpose "marketing"', line: 55, column: 16 },
    ]);
  });

  it('does not report references to an entry it set aside as problems of their own', () => {
    const recipient = 'recipients:\n  - id: shipper\n    name: The parcel service\n    kind: service-provider\n    service: hosting\n    receives:\n      - categories: [orders]\n        purposes: [provide-services]\n    countries: [GB]\n';
    const text = `${readFileSync(fixture('broken-both.policy.yaml'), 'utf8').replace('purposes: [marketing]', 'purposes: [provide-services]')}${recipient}`;
    const result = parseDeclaration(text);
    if (result.ok) throw new Error('expected problems');
    // The shipper receives "orders", which was set aside for its own fault: that is one problem, not two.
    expect(result.problems.map((problem) => problem.path)).toEqual(['categories[1].fields[0].description']);
  });
});
