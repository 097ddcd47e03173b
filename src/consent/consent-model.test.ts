import { describe, expect, it } from 'vitest';
import { examplePolicy } from '../../test/support/fixtures.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { consentModeDefaults } from './consent-mode.js';
import { consentModelFor, EEA, regionsOfModel } from './consent-model.js';

const { declaration } = await loadDeclaration(examplePolicy);

describe('the consent model by region', () => {
  it('asks first in the EEA, the UK and Switzerland, gives notice with opt-out in the US, and asks first where the region is unknown', () => {
    expect(consentModelFor(declaration, 'FR')).toEqual({ model: 'opt-in', region: 'FR' });
    expect(consentModelFor(declaration, 'NO')).toEqual({ model: 'opt-in', region: 'NO' });
    expect(consentModelFor(declaration, 'CH').model).toBe('opt-in');
    expect(consentModelFor(declaration, 'US')).toEqual({ model: 'opt-out', region: 'US' });
    expect(consentModelFor(declaration, 'us-ca')).toEqual({ model: 'opt-out', region: 'US-CA' });
    expect(consentModelFor(declaration, null)).toEqual({ model: 'opt-in', region: null });
    expect(consentModelFor(declaration, 'BR').model).toBe('opt-in');
  });

  it('lets the most specific region win', () => {
    const strict = { ...declaration, consentModels: { default: 'opt-in' as const, regions: [{ regions: ['US'], model: 'opt-out' as const }, { regions: ['US-CA'], model: 'opt-in' as const }] } };
    expect(consentModelFor(strict, 'US-CA').model).toBe('opt-in');
    expect(consentModelFor(strict, 'US-TX').model).toBe('opt-out');
  });

  it('gives Google Consent Mode a default of its own for the opt-out regions, groups spelled out as countries', () => {
    expect(regionsOfModel(declaration, 'opt-in')).toEqual([...EEA, 'GB', 'CH']);
    const defaults = consentModeDefaults(declaration);
    expect(defaults.regions).toEqual([{ region: ['US'], signals: expect.objectContaining({ ad_storage: 'granted', analytics_storage: 'granted' }) as unknown }]);
    expect(defaults.signals.ad_storage).toBe('denied');
  });
});
