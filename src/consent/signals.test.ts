import { describe, expect, it } from 'vitest';
import { examplePolicy } from '../../test/support/fixtures.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { honoredSignals, optOutCategories, readSignals } from './signals.js';

const { declaration } = await loadDeclaration(examplePolicy);
const honoringDnt = { ...declaration, signals: { ...declaration.signals, doNotTrack: 'honor' as const } };
const ignoringGpc = { ...declaration, signals: { ...declaration.signals, globalPrivacyControl: 'ignore' as const } };

describe('opt-out preference signals', () => {
  it('reads Sec-GPC and DNT only when exactly "1"', () => {
    expect(readSignals({})).toEqual({ gpc: false, dnt: false });
    expect(readSignals({ 'sec-gpc': '1', dnt: '1' })).toEqual({ gpc: true, dnt: true });
    expect(readSignals({ 'Sec-GPC': '1', DNT: '1' })).toEqual({ gpc: true, dnt: true });
    for (const value of ['0', 'true', ' 1', '1, 1', 'yes', '']) {
      expect(readSignals({ 'sec-gpc': value, dnt: value }), JSON.stringify(value)).toEqual({ gpc: false, dnt: false });
    }
    expect(readSignals({ 'sec-gpc': ['1', '1'] })).toEqual({ gpc: false, dnt: false });
  });

  it('opts out of the categories treated as sale, sharing or advertising when GPC is present and honored', () => {
    expect(optOutCategories(declaration, { gpc: true, dnt: false })).toEqual(['advertising']);
    expect(honoredSignals(declaration, { gpc: true, dnt: false })).toEqual(['gpc']);
    expect(optOutCategories(declaration, { gpc: false, dnt: false })).toEqual([]);
    expect(optOutCategories(ignoringGpc, { gpc: true, dnt: false })).toEqual([]);
  });

  it('treats DNT as the declaration says: ignored by the example, a refusal of every optional category when set to honor', () => {
    expect(optOutCategories(declaration, { gpc: false, dnt: true })).toEqual([]);
    expect(honoredSignals(declaration, { gpc: false, dnt: true })).toEqual([]);
    expect(optOutCategories(honoringDnt, { gpc: false, dnt: true })).toEqual(['analytics', 'advertising']);
    expect(honoredSignals(honoringDnt, { gpc: true, dnt: true })).toEqual(['gpc', 'dnt']);
  });

  it('never opts out of a strictly necessary category', () => {
    const odd = { ...declaration, cookies: declaration.cookies.map((group) => (group.necessary ? { ...group, treatedAs: ['sharing' as const] } : group)) };
    expect(optOutCategories(odd, { gpc: true, dnt: false })).toEqual(['advertising']);
  });
});
