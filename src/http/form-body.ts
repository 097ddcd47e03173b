/**
 * A strict parser for `application/x-www-form-urlencoded` bodies (the privacy page's
 * forms): size-limited by the route, every escape well-formed, valid UTF-8, no field
 * twice. Errors never quote the body.
 */
import type { FastifyInstance } from 'fastify';
import { VowError } from '../errors.js';

const allowed = /^[A-Za-z0-9\-._~!*'()%+=&]*$/;
const decoder = new TextDecoder('utf-8', { fatal: true });

export function parseFormBody(body: string): Record<string, string> {
  if (!allowed.test(body)) throw new VowError('bad_request', 'form body has characters that must be escaped');
  const fields: Record<string, string> = {};
  if (body === '') return fields;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = decodePart(at === -1 ? pair : pair.slice(0, at));
    const value = decodePart(at === -1 ? '' : pair.slice(at + 1));
    if (Object.hasOwn(fields, name)) throw new VowError('bad_request', `form field ${JSON.stringify(name.slice(0, 40))} appears twice`);
    fields[name] = value;
  }
  return fields;
}

function decodePart(part: string): string {
  const plus = part.replaceAll('+', ' ');
  if (/%(?![0-9A-Fa-f]{2})/.test(plus)) throw new VowError('bad_request', 'form body has a malformed escape');
  const bytes = Buffer.from(plus.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  try {
    return decoder.decode(bytes);
  } catch {
    throw new VowError('bad_request', 'form body is not valid UTF-8');
  }
}

/** Installs the parser in one plugin's scope (the routes that take forms). */
export function installFormParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body: string, done) => {
    try {
      done(null, parseFormBody(body));
    } catch (error) {
      done(error instanceof Error ? error : new VowError('bad_request', 'unreadable form'), undefined);
    }
  });
}
