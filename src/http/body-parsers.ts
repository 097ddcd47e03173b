/**
 * Body parsers that refuse invalid UTF-8 (instead of silently replacing bytes) and JSON
 * nested deeper than any route takes (before parsing it), and never quote the body in
 * their errors, since a body may hold personal data.
 */
import type { FastifyInstance } from 'fastify';
import { VowError } from '../errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './safe-input.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

function decode(body: Buffer): string {
  try {
    return decoder.decode(body);
  } catch {
    throw new VowError('bad_request', 'request body is not valid UTF-8');
  }
}

export function installBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    try {
      const text = decode(body);
      if (text.trim() === '') throw new VowError('bad_request', 'request body is empty');
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw new VowError('bad_request', `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
      try {
        done(null, JSON.parse(text) as unknown);
      } catch {
        throw new VowError('bad_request', 'request body is not valid JSON');
      }
    } catch (error) {
      done(error instanceof Error ? error : new VowError('bad_request', 'unreadable body'), undefined);
    }
  });
  // sendBeacon sends text/plain; routes that take it (POST /v1/events) read JSON from the string.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    try {
      done(null, decode(body));
    } catch (error) {
      done(error instanceof Error ? error : new VowError('bad_request', 'unreadable body'), undefined);
    }
  });
  app.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    try {
      done(null, decode(body));
    } catch (error) {
      done(error instanceof Error ? error : new VowError('bad_request', 'unreadable body'), undefined);
    }
  });
}
