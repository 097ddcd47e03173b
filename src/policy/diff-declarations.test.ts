import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixture } from '../../test/support/fixtures.js';
import { Declaration } from './declaration.js';
import { diffDeclarations, formatChanges } from './diff-declarations.js';

const minimal = () => Declaration.parse(parse(readFileSync(fixture('minimal.policy.yaml'), 'utf8')));

describe('policy diff', () => {
  it('finds nothing between identical declarations', () => {
    expect(diffDeclarations(minimal(), minimal())).toEqual([]);
    expect(formatChanges([])).toBe('no changes');
  });

  it('names changes by the ids a privacy engineer reads, not list positions', () => {
    const before = minimal();
    const after = minimal();
    const account = after.categories[0];
    if (!account) throw new Error('fixture has a category');
    account.retention.period = 'P3Y';
    after.purposes.unshift({ id: 'research', description: 'To conduct research', legalBasis: 'legitimate-interests' });
    account.purposes.push('research');
    after.minimumAge = 13;

    const changes = diffDeclarations(before, after);
    expect(changes).toEqual(
      expect.arrayContaining([
        { kind: 'changed', path: 'categories[account].retention.period', before: 'P2Y', after: 'P3Y' },
        { kind: 'added', path: 'categories[account].purposes[research]', after: true },
        { kind: 'added', path: 'purposes[research]', after: { id: 'research', description: 'To conduct research', legalBasis: 'legitimate-interests' } },
        { kind: 'changed', path: 'minimumAge', before: 16, after: 13 },
      ]),
    );
    expect(changes).toHaveLength(4);
    const text = formatChanges(changes);
    expect(text).toContain('~ categories[account].retention.period: "P2Y" → "P3Y"');
    expect(text).toContain('+ categories[account].purposes[research]\n');
  });

  it('reports a removed recipient as one removal', () => {
    const before = minimal();
    before.recipients.push({ id: 'host', name: 'Host Co', kind: 'service-provider', service: 'hosting', receives: [{ categories: ['account'], purposes: ['provide-services'] }], countries: ['US'], treatedAs: [], domains: [] });
    const changes = diffDeclarations(before, minimal());
    expect(changes).toEqual([expect.objectContaining({ kind: 'removed', path: 'recipients[host]' })]);
    expect(formatChanges(changes)).toMatch(/^- recipients\[host\] \{.*"receives":\[/);
  });
});
