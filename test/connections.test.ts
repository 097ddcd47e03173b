/**
 * What one host can hold of the server: thousands of silent and trickling connections
 * from one address neither starve other visitors nor stay open. Bounded: 2,000 silent
 * sockets and 200 that trickle a body, short deadlines set for the test, and every
 * assertion within seconds.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';

const ATTACKER = '127.0.0.2';

describe('connections from one hostile host', () => {
  let database: TestDatabase;
  let vow: Vow;
  let port = 0;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    vow = await createVow(
      database.config({ VOW_HEADERS_TIMEOUT_MS: '1000', VOW_REQUEST_TIMEOUT_MS: '2000', VOW_MAX_CONNECTIONS_PER_ADDRESS: '50' }),
    );
    await vow.server.listen({ port: 0, host: '127.0.0.1' });
    const address = vow.server.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await vow.close();
    await database.cleanup();
  });

  const open = (onConnect?: (socket: Socket) => void) =>
    new Promise<Socket>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress: ATTACKER }, () => {
        onConnect?.(socket);
      });
      socket.on('error', () => undefined);
      sockets.push(socket);
      resolve(socket);
    });
  const timed = async (path: string) => {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(1000) });
    return { status: response.status, ms: performance.now() - started };
  };
  /** Connections the server holds (a client-side socket may look open while the kernel dropped it from a full accept queue). */
  const held = () =>
    new Promise<number>((resolve, reject) => {
      vow.server.server.getConnections((error, count) => {
        if (error) reject(error);
        else resolve(count);
      });
    });

  it('answers everyone else within a second, and closes what the host left hanging', async () => {
    for (let index = 0; index < 2000; index += 1) await open();
    for (let index = 0; index < 200; index += 1) {
      await open((socket) => {
        socket.write('POST /v1/events HTTP/1.1\r\nHost: vow\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
        const drip = setInterval(() => {
          if (socket.destroyed) clearInterval(drip);
          else socket.write(' ');
        }, 100);
        socket.once('close', () => {
          clearInterval(drip);
        });
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Only the per-address cap of them is held by the server; the others were closed at once.
    expect(await held()).toBeLessThanOrEqual(50);

    for (const path of ['/healthz', '/privacy']) {
      const { status, ms } = await timed(path);
      expect(status).toBe(200);
      expect(ms).toBeLessThan(1000);
    }

    // Silent ones go when their headers are late, tricklers when their request is.
    const deadline = Date.now() + 6000;
    while ((await held()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await held()).toBe(0);
  }, 30_000);
});
