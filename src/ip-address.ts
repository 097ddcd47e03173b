/** Address forms that must compare as one. */
import { isIPv4 } from 'node:net';

/** An IPv4 client of a dual-stack socket (`::ffff:a.b.c.d`) as its plain IPv4 address; any other address as given. */
export function unmapIpv4(address: string): string {
  const prefix = address.slice(0, 7).toLowerCase();
  return prefix === '::ffff:' && isIPv4(address.slice(7)) ? address.slice(7) : address;
}
