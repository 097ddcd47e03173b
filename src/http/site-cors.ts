/**
 * CORS for the company's own sites (`scope.origins` in the published declaration), which
 * load the SDK from Vow's address: the routes the SDK calls answer their origins, and
 * only theirs, and only those routes. Staff routes never answer CORS: they take API keys,
 * which no web page should hold.
 *
 * Read at each request, so a newly published version's origins hold at once. No
 * credentials: the SDK sends none (its consent cookie is the site's own, first-party).
 */
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { VaultContext } from '../vault/vault-context.js';

/** What the SDK calls: the script itself, the banner, consents, events, the preference form. */
const sdkPaths = [
  /^\/sdk\/vow(-gpp)?\.js$/,
  /^\/v1\/consent(\/banner|\/purposes)?$/,
  /^\/v1\/consent\/visitors\/[^/]+$/,
  /^\/v1\/consent\/purposes\/visitors\/[^/]+$/,
  /^\/v1\/events$/,
];

export function isSdkPath(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return sdkPaths.some((pattern) => pattern.test(path));
}

/** The origin to answer, or false: a listed site's, on a route the SDK calls. */
export function siteOriginOf(vault: VaultContext, request: Pick<FastifyRequest, 'url' | 'headers'>): string | false {
  const origin = request.headers.origin;
  if (origin === undefined || !isSdkPath(request.url)) return false;
  return vault.declaration.scope.origins.includes(origin) ? origin : false;
}

export async function installSiteCors(app: FastifyInstance, vault: VaultContext): Promise<void> {
  await app.register(cors, {
    delegator: (request, callback) => {
      callback(null, {
        origin: siteOriginOf(vault, request),
        methods: ['GET', 'POST'],
        allowedHeaders: ['content-type'],
        credentials: false,
        // A preflight without its headers gets the routes' own answers, not a plain-text 400.
        strictPreflight: false,
        maxAge: 600,
      });
    },
  });
}
