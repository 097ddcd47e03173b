/**
 * A request's share in a service the company uses (an `http` system): the declared call,
 * its placeholders filled with the subject's identity (URL-encoded in the URL), its secret
 * read from the environment at run time, sent through the egress guard. A 2xx answer is
 * the task done; for an access, the records at the declared `answer` path are what the
 * service holds. A 404 to an erasure or a correction is done too: nothing was there.
 */
import type { z } from 'zod';
import type { DeclaredSystem, HttpCall } from '../policy/declared-system.js';
import { sendGuarded } from '../webhooks/guarded-request.js';
import type { GatheredTable } from './sql-system-rights.js';
import type { SubjectIdentity } from './subject-rows.js';

type HttpSystem = Extract<DeclaredSystem, { engine: 'http' }>;
type Call = z.output<typeof HttpCall>;
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const TIMEOUT_MS = 15_000;
const MAX_ANSWER_BYTES = 5 * 1024 * 1024;

export interface ServiceCall {
  system: HttpSystem;
  action: 'access' | 'erasure' | 'correction';
  identity: SubjectIdentity;
  /** For a correction: the new values by field name, added to the body's top level. */
  corrected?: Record<string, string>;
  variable: (name: string) => string | undefined;
  allowPrivate: boolean;
}

/** Undefined when the system declares no call for the action (staff do it). */
export function declaredCall(system: HttpSystem, action: ServiceCall['action']): Call | undefined {
  return action === 'access' ? system.access : action === 'erasure' ? system.erasure : system.correction;
}

export async function callService(options: ServiceCall): Promise<GatheredTable[] | { status: number }> {
  const { system } = options;
  const call = declaredCall(system, options.action);
  if (!call) throw new Error(`system ${system.id} declares no ${options.action} call`);
  const base = options.variable(system.connection);
  if (base === undefined || base === '') throw new Error(`${system.connection} is not set: the base URL of system ${system.id}`);
  const url = new URL(base.replace(/\/$/, '') + fill(call.url, options.identity, encodeURIComponent));
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`system ${system.id}: the base URL must be http(s)`);
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Vow (privacy requests)' };
  if (call.auth) {
    const secret = options.variable(call.auth.env);
    if (secret === undefined || secret === '') throw new Error(`${call.auth.env} is not set: the credential of system ${system.id}`);
    headers[call.auth.header.toLowerCase()] = call.auth.scheme === 'bearer' ? `Bearer ${secret}` : call.auth.scheme === 'basic' ? `Basic ${secret}` : secret;
  }
  const body = bodyOf(call, options);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const answer = await sendGuarded(url, { method: call.method, headers, ...(body !== undefined ? { body } : {}), allowPrivate: options.allowPrivate, timeoutMs: TIMEOUT_MS, maxAnswerBytes: MAX_ANSWER_BYTES });
  if (answer.status === 404 && options.action !== 'access') return { status: 404 };
  // The status only: a service's error page could quote what it was sent.
  if (answer.status < 200 || answer.status > 299) throw new Error(`system ${system.id} answered ${answer.status} to the ${options.action} call`);
  if (options.action !== 'access') return { status: answer.status };
  if (answer.status === 204 || answer.body.length === 0) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body.toString('utf8'));
  } catch {
    throw new Error(`system ${system.id} answered the access call with something other than JSON`);
  }
  const records = call.answer === undefined ? parsed : call.answer.split('.').reduce<unknown>((value, key) => (isObject(value) ? value[key] : undefined), parsed);
  const rows = Array.isArray(records) ? records : records === undefined || records === null ? [] : [records];
  return [{ table: 'records', rows: rows.map((row) => (isObject(row) ? row : { value: row })) }];
}

function bodyOf(call: Call, options: ServiceCall): string | undefined {
  if (call.body === undefined && !(options.action === 'correction' && options.corrected)) return undefined;
  const template = (call.body ?? {}) as Json;
  const filled = fillJson(template, options.identity);
  const withCorrections = options.action === 'correction' && options.corrected && isObject(filled) ? { ...filled, ...options.corrected } : filled;
  return JSON.stringify(withCorrections);
}

function fill(template: string, identity: SubjectIdentity, encode: (value: string) => string = (value) => value): string {
  return template.replace(/\{([a-z-]+)\}/g, (_, name: keyof SubjectIdentity) => {
    const value = identity[name];
    if (value === undefined) throw new Error(`the subject has no ${name} to fill the call with`);
    return encode(value);
  });
}

function fillJson(value: Json, identity: SubjectIdentity): Json {
  if (typeof value === 'string') return fill(value, identity);
  if (Array.isArray(value)) return value.map((item) => fillJson(item, identity));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillJson(item, identity)]));
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
