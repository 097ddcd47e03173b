/**
 * What one client can hold of a server's connections. Node's own timeouts close what
 * never finishes (headers within `headersTimeout`, the whole request within
 * `requestTimeout`, idle keep-alive sockets within `keepAliveTimeout`), checked every
 * second; this caps the sockets one address may hold open at once, and all addresses
 * together, so that thousands of silent or trickling connections from one host cannot
 * take the descriptors every other visitor needs. The operator's own proxies, through
 * which every client arrives, are not capped per address.
 */
import type { Server } from 'node:http';
import { BlockList, isIP, isIPv6 } from 'node:net';
import { unmapIpv4 } from '../ip-address.js';

export interface ConnectionLimits {
  /** Open sockets one client address may hold. */
  perAddress: number;
  /** Open sockets the process holds at most (`server.maxConnections`). */
  total: number;
  /** Addresses not capped per address (trusted proxies). */
  exempt: (address: string) => boolean;
}

/** The addresses of these proxies (`10.0.0.0/8`, `127.0.0.1`), as a predicate. */
export function addressesIn(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (address) => {
    const plain = unmapIpv4(address);
    const type = isIP(plain);
    return type !== 0 && list.check(plain, type === 6 ? 'ipv6' : 'ipv4');
  };
}

export function limitConnections(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.total;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    if (limits.exempt(address)) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > limits.perAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
