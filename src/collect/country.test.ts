import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { countryOf } from './country.js';

describe('countryOf', () => {
  it('takes an ISO country code from the configured header only', () => {
    expect(countryOf({ 'cf-ipcountry': 'FR' }, 'cf-ipcountry')).toBe('FR');
    expect(countryOf({ 'cf-ipcountry': 'FR' }, undefined)).toBeNull();
    expect(countryOf({ 'x-country': 'FR' }, 'cf-ipcountry')).toBeNull();
  });

  it('refuses anything but two upper-case letters, and the codes that mean no country', () => {
    for (const value of ['fr', 'FRA', 'F', '', 'T1', 'XX', ' FR', 'FR\n']) expect(countryOf({ 'cf-ipcountry': value }, 'cf-ipcountry')).toBeNull();
    expect(countryOf({ 'cf-ipcountry': ['FR', 'DE'] }, 'cf-ipcountry')).toBeNull();
  });

  it('is configured by VOW_COUNTRY_HEADER, as a lower-case header name', () => {
    expect(loadConfig({}).countryHeader).toBeUndefined();
    expect(loadConfig({ VOW_COUNTRY_HEADER: 'CF-IPCountry' }).countryHeader).toBe('cf-ipcountry');
    expect(() => loadConfig({ VOW_COUNTRY_HEADER: 'cf ipcountry' })).toThrow(/VOW_COUNTRY_HEADER/);
  });
});
