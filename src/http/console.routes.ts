/**
 * The console (`/console/`), the browser app of `console/` built into `dist/console` by
 * `npm run build`. It is a page and its scripts only: everything it shows or changes goes
 * through the same HTTP API, with the signed-in person's session, so it can do nothing the
 * API would not let that person do. Every path under `/console/` that is not a file is the
 * app's own (a screen), answered with its page.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { VowError } from '../errors.js';
import { pageStyle } from '../policy/page-style.js';
import { loadFile, loadFolder, sendFile } from './static-files.js';

/** From both `src/http` (tests) and `dist/http` (the built server), the project's `dist/console`. */
const defaultDir = fileURLToPath(new URL('../../dist/console/', import.meta.url));

/**
 * The policy page's own stylesheet, the one inline style allowed: the publishing preview
 * shows the page in a sandboxed frame, which inherits this policy.
 */
const previewStyle = `'sha256-${createHash('sha256').update(pageStyle).digest('base64')}'`;

/** Scripts, styles and calls to this origin only; never framed; no inline code but the preview's stylesheet. */
export const consoleCsp = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'self' ${previewStyle}`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const AssetParams = z.strictObject({ file: z.string().max(200) });

export const consoleRoutes: FastifyPluginAsyncZod<{ dir?: string }> = async (app, options) => {
  const dir = options.dir ?? defaultDir;
  const page = await loadFile(join(dir, 'index.html'));
  const assets = await loadFolder(join(dir, 'assets'));
  const notBuilt = () => new VowError('unavailable', 'the console is not built: run npm run build');

  const servePage = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!page) throw notBuilt();
    void reply.header('content-security-policy', consoleCsp);
    return sendFile(request, reply, page, 'no-cache');
  };

  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
  app.get('/console/', { schema: { summary: 'The console: privacy operations in the browser, for signed-in staff', tags: ['staff'] } }, servePage);
  app.get('/console/*', { schema: { hide: true } }, servePage);
  app.get('/console/assets/:file', { schema: { hide: true, params: AssetParams } }, async (request, reply) => {
    const file = assets.get(request.params.file);
    if (!file) throw new VowError('not_found', `no console file ${request.params.file}`);
    // Their names carry their content's hash: a new build is a new name.
    return sendFile(request, reply, file, 'public, max-age=31536000, immutable');
  });
};
