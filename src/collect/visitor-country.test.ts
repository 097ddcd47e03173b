import { describe, expect, it } from 'vitest';
import { visitorCountry } from './country.js';

describe('the visitor’s country, for the consent model', () => {
  it('is the proxy’s header when it names a country, whatever the address', () => {
    expect(visitorCountry({ 'cf-ipcountry': 'FR' }, 'cf-ipcountry', '8.8.8.8')).toBe('FR');
  });

  it('is otherwise looked up offline from an IPv4 address, mapped or not, and unknown for private, IPv6 or unlisted addresses', () => {
    expect(visitorCountry({}, undefined, '8.8.8.8')).toBe('US');
    expect(visitorCountry({}, 'cf-ipcountry', '::ffff:81.2.69.160')).toBe('GB');
    expect(visitorCountry({ 'cf-ipcountry': 'XX' }, 'cf-ipcountry', '127.0.0.1')).toBeNull();
    expect(visitorCountry({}, undefined, '10.1.2.3')).toBeNull();
    expect(visitorCountry({}, undefined, '2a00:1450:4001::1')).toBeNull();
  });
});
