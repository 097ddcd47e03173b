/**
 * Browsers send the device model (device information's "device name") only to an origin
 * that asked for it in a page's Accept-CH. The plugins that serve pages call this, so
 * that every page Vow serves asks and the requests that follow (the SDK's events among
 * them) carry `Sec-CH-UA-Model`; the hook stays off the API routes, the events route
 * above all. A site served elsewhere asks on its own pages and delegates the hint to
 * Vow's origin (README).
 */
import type { FastifyInstance } from 'fastify';

export function askForDeviceModel(app: FastifyInstance): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) void reply.header('accept-ch', 'Sec-CH-UA-Model');
    done(null, payload);
  });
}
