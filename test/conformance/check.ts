/**
 * What a conformance check gets: a running Vow serving one example declaration, on one
 * database, and ways to act as staff. A check proves one kind of promise the page makes
 * (src/policy/promises.ts) through the HTTP API, for whatever declaration states it: it
 * reads ids, periods and settings from `declaration`, never from one example's file.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { strFromU8, unzipSync } from 'fflate';
import { expect } from 'vitest';
import type { Vow } from '../../src/app.js';
import { issueApiKey } from '../../src/auth/api-key.js';
import type { Role } from '../../src/auth/role.js';
import { namesOfKind } from '../../src/collect/event-fields.js';
import type { Declaration } from '../../src/policy/declaration.js';
import type { PromiseKind } from '../../src/policy/promises.js';
import type { Dialect } from '../../src/store/open-store.js';

export interface Conformance {
  server: FastifyInstance;
  vow: Vow;
  /** The declaration in force (the published version the server enforces). */
  declaration: Declaration;
  dialect: Dialect;
  /** Authorization headers of a fresh key of this role (and purposes). */
  staff(role: Role, purposes?: string[]): Promise<Record<string, string>>;
}

export type Check = (conformance: Conformance) => Promise<void>;
export type Checks<K extends PromiseKind = PromiseKind> = Record<K, Check>;

export async function staffKey(vow: Vow, role: Role, purposes: string[] = []): Promise<Record<string, string>> {
  const { secret } = await issueApiKey(vow.store.db, { role, purposes, actor: 'conformance' });
  return { authorization: `Bearer ${secret}` };
}

/** The response, after asserting its status (the body is in the failure message). */
export function expectStatus(response: LightMyRequestResponse, status: number): LightMyRequestResponse {
  expect(response.statusCode, `${response.statusCode} ${response.body}`).toBe(status);
  return response;
}

/** Decisions are ordered to the millisecond: a tick apart, the latest is certain. */
export const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2));

/** A visitor who decided on the banner in force: `granted` cookie categories, every other optional one refused. */
export async function bannerVisitor(
  server: FastifyInstance,
  granted: 'all' | readonly string[],
  headers: Record<string, string> = {},
  visitorId?: string,
): Promise<{ visitorId: string; subjectId: string; granted: string[]; refused: string[]; signalsHonored: string[] }> {
  const banner = expectStatus(await server.inject({ method: 'GET', url: '/v1/consent/banner' }), 200).json<{
    policyVersion: number;
    bannerHash: string;
    categories: { id: string; necessary: boolean }[];
  }>();
  const optional = banner.categories.filter((category) => !category.necessary).map((category) => category.id);
  const grant = granted === 'all' ? optional : optional.filter((id) => granted.includes(id));
  await tick();
  const response = await server.inject({
    method: 'POST',
    url: '/v1/consent',
    headers,
    payload: {
      granted: grant,
      refused: optional.filter((id) => !grant.includes(id)),
      source: 'banner',
      policyVersion: banner.policyVersion,
      bannerHash: banner.bannerHash,
      ...(visitorId === undefined ? {} : { visitorId }),
    },
  });
  return expectStatus(response, 201).json();
}

/** Every declared field of the category of this kind, filled in plausibly (an adult's birth date). */
export function plausibleFields(declaration: Declaration, kind: 'account' | 'communication', email: string, overrides: Record<string, string> = {}): Record<string, string> {
  const category = declaration.categories.find((candidate) => candidate.kind === kind);
  if (!category) throw new Error(`the declaration declares no ${kind} category`);
  const values: Record<string, string> = { email, name: 'Robin Conformance', birthDate: '1990-04-01', phone: '+33612345678', message: 'When do bookings open?' };
  return Object.fromEntries(category.fields.map((field) => [field.name, overrides[field.name] ?? values[field.name] ?? 'a value']));
}

/** Opens an account with every declared account field filled in plausibly. */
export async function openAccount(conformance: Conformance, email: string, overrides: Record<string, string> = {}): Promise<string> {
  const response = await conformance.server.inject({ method: 'POST', url: '/v1/accounts', payload: plausibleFields(conformance.declaration, 'account', email, overrides) });
  return expectStatus(response, 201).json<{ id: string }>().id;
}

export interface Ingested {
  accepted: number;
  dropped: Record<string, number>;
}

/** One event of this technical category, named from its vocabulary, for this visitor. */
export async function sendEvent(conformance: Conformance, visitorId: string, category: string, headers: Record<string, string> = {}): Promise<Ingested> {
  const declared = conformance.declaration.categories.find((candidate) => candidate.id === category);
  if (!declared?.technical) throw new Error(`${category} is not a technical category`);
  const name = declared.eventNames?.[0] ?? namesOfKind[declared.technical][0] ?? 'page_view';
  const response = await conformance.server.inject({ method: 'POST', url: '/v1/events', headers, payload: { visitorId, events: [{ category, name }] } });
  return expectStatus(response, 202).json();
}

/** The subject's access export, as staff download it: file name → text. */
export async function exportOf(conformance: Conformance, subjectId: string): Promise<Record<string, string>> {
  const response = expectStatus(await conformance.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/export`, headers: await conformance.staff('privacy-officer') }), 200);
  return Object.fromEntries(Object.entries(unzipSync(new Uint8Array(response.rawPayload))).map(([name, bytes]) => [name, strFromU8(bytes)]));
}

/** The categories of the events the export lists for the subject. */
export async function exportedEventCategories(conformance: Conformance, subjectId: string): Promise<string[]> {
  const files = await exportOf(conformance, subjectId);
  return (JSON.parse(files['events.json'] ?? '[]') as { category: string }[]).map((event) => event.category);
}

/** The visitor consents, through the public preference form, to every purpose that rests on consent. */
export async function consentToEveryPurpose(conformance: Conformance, visitorId: string): Promise<void> {
  const form = expectStatus(await conformance.server.inject({ method: 'GET', url: '/v1/consent/purposes' }), 200).json<{ policyVersion: number; textHash: string; purposes: { id: string }[] }>();
  if (form.purposes.length === 0) return;
  const payload = { visitorId, granted: form.purposes.map((purpose) => purpose.id), policyVersion: form.policyVersion, textHash: form.textHash };
  expectStatus(await conformance.server.inject({ method: 'POST', url: '/v1/consent/purposes', payload }), 201);
}

/** Technical categories collected only through cookie categories the visitor may refuse (not on legitimate interests, not by a strictly necessary one). */
export function consentGatedCategories(declaration: Declaration): string[] {
  return declaration.categories
    .filter((category) => category.technical !== undefined && category.collection !== 'legitimate-interests')
    .filter((category) => !declaration.cookies.some((group) => group.necessary && group.collects.includes(category.id)))
    .filter((category) => declaration.cookies.some((group) => !group.necessary && group.collects.includes(category.id)))
    .map((category) => category.id);
}
