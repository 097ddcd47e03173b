import { describe, expect, it } from 'vitest';
import { truncateIp } from './truncate-ip.js';

describe('IP addresses are truncated before they are logged', () => {
  it.each([
    ['203.0.113.57', '203.0.113.0'],
    ['::ffff:198.51.100.7', '198.51.100.0'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::'],
    ['2001:db8::1', '2001:db8:0::'],
    ['::1', '0:0:0::'],
    ['not an address', 'unknown'],
  ])('%s → %s', (ip, truncated) => {
    expect(truncateIp(ip)).toBe(truncated);
  });
});
