/**
 * Keyset paging: a page ends with the sort key of its last row, handed back opaque as
 * `next`, and the following page starts after it. Each page costs one indexed range
 * read however deep the list goes (an offset would read and skip every row before it).
 */
import { z } from 'zod';
import { VowError } from '../errors.js';

export const PageLimit = z.coerce.number().int().min(1).max(200).default(50).describe('rows in a page');
export const PageAfter = z.string().max(400).regex(/^[A-Za-z0-9_-]+$/, 'must be the `next` of the previous page').optional().describe('the `next` of the previous page');

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The sort key a cursor carries, checked against the shape its list expects. */
export function decodeCursor<T extends z.ZodType>(cursor: string, shape: T): z.infer<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const key = shape.safeParse(parsed);
  if (!key.success) throw new VowError('bad_request', 'the page cursor is not one this list gave', [{ path: 'after', message: 'must be the `next` of the previous page' }]);
  return key.data;
}
