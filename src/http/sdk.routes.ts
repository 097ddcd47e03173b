/**
 * The browser SDK (`GET /sdk/vow.js`) and its demo site (`GET /demo/`), both from the
 * build's `dist/sdk/` (`npm run build:sdk`), read once when the server starts. Without a
 * build they answer 503, saying so. The demo has a Content-Security-Policy of its own:
 * scripts and styles from this origin only, so the SDK works without 'unsafe-inline'.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { consentModeDefaults } from '../consent/consent-mode.js';
import { VowError } from '../errors.js';
import type { Declaration } from '../policy/declaration.js';
import { askForDeviceModel } from './accept-client-hints.js';
import { etagOf, loadFile, loadFolder, sendFile, type StaticFile } from './static-files.js';

export interface SdkRouteOptions {
  /** The built SDK: `vow.js` and `demo/`. Default `dist/sdk` of this installation. */
  dir?: string;
  /** The declaration in force: its Consent Mode defaults are written ahead of the script, so they hold before any tag runs. */
  declaration?: () => Declaration;
}

/** From both `src/http` (tests) and `dist/http` (the built server), the project's `dist/sdk`. */
const defaultDir = fileURLToPath(new URL('../../dist/sdk/', import.meta.url));

export const demoCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "frame-src 'self'",
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const notBuilt = () => new VowError('unavailable', 'the browser SDK is not built: run npm run build');

const DemoParams = z.strictObject({ file: z.string().max(100) });

export const sdkRoutes: FastifyPluginAsyncZod<SdkRouteOptions> = async (app, options) => {
  askForDeviceModel(app);
  const dir = options.dir ?? defaultDir;
  const sdk = await loadFile(join(dir, 'vow.js'));
  const gpp = await loadFile(join(dir, 'vow-gpp.js'));
  const demo = await loadFolder(join(dir, 'demo'));
  // One script per published version: its Consent Mode defaults, then the SDK.
  const scripts = new WeakMap<Declaration, StaticFile>();
  const scriptFor = (file: StaticFile): StaticFile => {
    const declaration = options.declaration?.();
    if (!declaration) return file;
    let script = scripts.get(declaration);
    if (!script) {
      const body = Buffer.concat([Buffer.from(`self.__vowConsentMode=${JSON.stringify(consentModeDefaults(declaration))};\n`, 'utf8'), file.body]);
      script = { body, type: file.type, etag: etagOf(body) };
      scripts.set(declaration, script);
    }
    return script;
  };

  app.get(
    '/sdk/vow.js',
    { schema: { summary: 'The browser SDK: consent banner and usage-data collector, one minified file', tags: ['sdk'] } },
    async (request, reply) => {
      if (!sdk) throw notBuilt();
      // Sites on other origins load it with <script src>: allow that, and revalidate often (the URL is not versioned).
      void reply.header('cross-origin-resource-policy', 'cross-origin');
      return sendFile(request, reply, scriptFor(sdk), 'public, max-age=300, must-revalidate');
    },
  );

  app.get(
    '/sdk/vow-gpp.js',
    { schema: { summary: 'The optional IAB GPP script (US national section, with GPC), to load after vow.js for ad tags that read __gpp', tags: ['sdk'] } },
    async (request, reply) => {
      if (!gpp) throw notBuilt();
      void reply.header('cross-origin-resource-policy', 'cross-origin');
      return sendFile(request, reply, gpp, 'public, max-age=300, must-revalidate');
    },
  );

  app.get('/demo', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/demo/'));

  const serveDemo = async (name: string, request: FastifyRequest, reply: FastifyReply) => {
    if (!sdk) throw notBuilt();
    const file = demo.get(name);
    if (!file) throw new VowError('not_found', `no demo file ${name}`);
    void reply.header('content-security-policy', demoCsp);
    return sendFile(request, reply, file, 'no-cache');
  };

  app.get('/demo/', { schema: { summary: 'A demo site using the browser SDK', tags: ['sdk'] } }, async (request, reply) =>
    serveDemo('index.html', request, reply),
  );
  app.get('/demo/:file', { schema: { hide: true, params: DemoParams } }, async (request, reply) => serveDemo(request.params.file, request, reply));
};
