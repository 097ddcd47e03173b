/**
 * One rule for hostile bytes, applied to every validated part of every request (body,
 * query, params, headers) before its schema sees it: no string, and no key, may hold a
 * NUL or a lone UTF-16 surrogate, which databases store differently (SQLite keeps the
 * bytes, PostgreSQL refuses NUL and replaces surrogates) so that a stored value would no
 * longer match its hash or its proof; and no key may be one that reaches an object's
 * prototype. A refusal names the field and never echoes the value.
 */
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';
import { findUnstorable, type UnstorableText } from '../unicode-text.js';

/** How deep a request's JSON may nest: deeper than any route's schema, far shallower than a stack. */
export const MAX_JSON_DEPTH = 32;

const prototypeKeys: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface BadInput {
  /** JSON-pointer-like path of the field (`/events/0/name`). */
  instancePath: string;
  message: string;
}

const refusal: Record<UnstorableText, string> = {
  nul: 'must not contain a NUL character',
  'lone-surrogate': 'must not contain a lone surrogate (invalid Unicode)',
};

/** Why a string is refused, or undefined when it is fine. */
function badString(value: string): string | undefined {
  const found = findUnstorable(value);
  return found && refusal[found];
}

/** The first hostile string or key in a parsed value, depth first. */
export function findBadInput(value: unknown, path = ''): BadInput | undefined {
  if (typeof value === 'string') {
    const message = badString(value);
    return message === undefined ? undefined : { instancePath: path, message };
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = findBadInput(value[index], `${path}/${index}`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      const keyProblem = prototypeKeys.has(key) ? `key "${key}" is not accepted` : badString(key) && 'has a key that is not valid text';
      if (keyProblem) return { instancePath: path === '' ? '/' : path, message: keyProblem };
      const found = findBadInput((value as Record<string, unknown>)[key], `${path}/${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** The zod validator compiler, with the rule above applied first. */
export const safeValidatorCompiler: FastifySchemaCompiler<ZodType> = (route) => {
  const validate = validatorCompiler(route);
  return (data) => {
    const bad = findBadInput(data);
    if (bad) {
      const error: FastifySchemaValidationError[] = [{ keyword: 'bad-bytes', schemaPath: '#', params: {}, ...bad }];
      return { error };
    }
    return validate(data);
  };
};

/**
 * Whether JSON text nests deeper than `max`, found by one pass over its brackets (strings
 * skipped) before any parse: a body nested thousands deep costs no more than its length.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index += 1;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (code === 0x7d || code === 0x5d) depth -= 1;
  }
  return false;
}
