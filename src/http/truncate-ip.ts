import { isIPv4, isIPv6 } from 'node:net';
import { unmapIpv4 } from '../ip-address.js';

/**
 * Drops the host part of an address before it is logged or stored: the last octet of
 * IPv4, everything past the /48 prefix of IPv6. Enough for abuse handling and
 * country-level analytics, not enough to single out a household.
 */
export function truncateIp(address: string): string {
  const ip = unmapIpv4(address);
  if (isIPv4(ip)) return ip.replace(/\.\d+$/, '.0');
  if (isIPv6(ip)) return `${expandIpv6(ip).slice(0, 3).join(':')}::`;
  return 'unknown';
}

function expandIpv6(ip: string): string[] {
  const [head = '', tail = ''] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const missing = ip.includes('::') ? 8 - left.length - right.length : 0;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
