/**
 * Files of the build (`dist/`), read into memory once when the server starts and served
 * with a strong ETag: the SDK, its demo site, the console. Only the listed types are
 * served, so nothing else that lands in a build folder is ever handed out.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

export const etagOf = (body: Buffer) => `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;

/** One file, or undefined when it is missing or of a type never served. */
export async function loadFile(path: string): Promise<StaticFile | undefined> {
  const type = contentTypes[extname(path)];
  if (type === undefined) return undefined;
  try {
    const body = await readFile(path);
    return { body, type, etag: etagOf(body) };
  } catch {
    return undefined;
  }
}

/** Every servable file of a folder, by name (no subfolders); empty when the folder is missing. */
export async function loadFolder(dir: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  const names = await readdir(dir).catch(() => []);
  for (const name of names) {
    const file = await loadFile(join(dir, name));
    if (file) files.set(name, file);
  }
  return files;
}

export function sendFile(request: FastifyRequest, reply: FastifyReply, file: StaticFile, cacheControl: string) {
  void reply.header('etag', file.etag).header('cache-control', cacheControl);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
}
