/**
 * §4 Contact and updating, §5 Children: a copy or the deletion of one's data on request,
 * only once the requester proved the address; the age gate as the declaration sets it; a
 * child reported to us erased once the report is confirmed.
 */
import { strFromU8, unzipSync } from 'fflate';
import { expect } from 'vitest';
import { readOutbox } from '../../src/outbox/outbox.js';
import { expectStatus, openAccount, plausibleFields, type Checks, type Conformance } from './check.js';

type RightsPromise = 'rights-requests' | 'minimum-age' | 'child-report-deletion' | 'all-ages';

const DAY_MS = 86_400_000;

interface Filed {
  id: string;
  kind: string;
  status: string;
  receivedAt: string;
  message: string;
}

const accountCategory = (c: Conformance) => {
  const account = c.declaration.categories.find((category) => category.kind === 'account');
  if (!account) throw new Error('the declaration declares no account category');
  return account;
};
const asksBirthDate = (c: Conformance) => accountCategory(c).fields.some((field) => field.name === 'birthDate');

/** The day someone turning `years` today was born (a 29 February birthday falls on the 28th in other years). */
function bornYearsAgo(years: number, today = new Date()): Date {
  const month = today.getUTCMonth();
  const date = new Date(Date.UTC(today.getUTCFullYear() - years, month, today.getUTCDate()));
  if (date.getUTCMonth() !== month) date.setUTCDate(0);
  return date;
}
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

const signUp = (c: Conformance, email: string, overrides: Record<string, string> = {}) =>
  c.server.inject({ method: 'POST', url: '/v1/accounts', payload: plausibleFields(c.declaration, 'account', email, overrides) });

/** The subject's account as staff read it for a purpose the account category serves: the status says whether it is still held. */
const readAccount = async (c: Conformance, subjectId: string) => {
  const purpose = accountCategory(c).purposes[0];
  if (purpose === undefined) throw new Error('the account category serves no purpose');
  return c.server.inject({ method: 'GET', url: `/v1/accounts/${subjectId}?purpose=${encodeURIComponent(purpose)}`, headers: await c.staff('privacy-officer') });
};

/** The proofs of erasure the subject left behind: what remains of it, without personal data. */
const erasuresOf = async (c: Conformance, subjectId: string) =>
  expectStatus(await c.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/erasures`, headers: await c.staff('privacy-officer') }), 200).json<{
    erasures: { reason: string; requestId: string | null; erased: boolean }[];
  }>().erasures;

const fileRequest = async (c: Conformance, kind: 'access' | 'deletion', email: string) =>
  expectStatus(await c.server.inject({ method: 'POST', url: '/v1/requests', payload: { kind, email } }), 202).json<Filed>();

/** The code mailed to the requester for this request: the person's side of the channel, not the API's. */
const codeMailed = async (c: Conformance, requestId: string, email: string) => {
  const mail = (await readOutbox(c.vow.vault)).find((message) => message.kind === 'verification-code' && message.to === email && message.text.includes(requestId));
  const code = /enter this code: (\d{6})/.exec(mail?.text ?? '')?.[1];
  if (code === undefined) throw new Error(`no verification code was mailed to ${email} for ${requestId}`);
  return code;
};

const verify = async (c: Conformance, requestId: string, email: string) => {
  const code = await codeMailed(c, requestId, email);
  expect(expectStatus(await c.server.inject({ method: 'POST', url: `/v1/requests/${requestId}/verify`, payload: { code } }), 200).json()).toMatchObject({ status: 'open' });
};

const complete = async (c: Conformance, requestId: string) =>
  c.server.inject({ method: 'POST', url: `/v1/requests/${requestId}/complete`, headers: await c.staff('privacy-officer') });

/** Whether anything about anyone was written: the age gate refuses before the first row. */
const nothingWritten = async (c: Conformance) => {
  for (const table of ['subjects', 'subject_identifiers', 'vault_records'] as const) {
    expect(await c.vow.store.db.selectFrom(table).selectAll().execute(), table).toEqual([]);
  }
};

export const rightsChecks: Checks<RightsPromise> = {
  async 'rights-requests'(c) {
    const email = 'rights.access@example.com';
    const subjectId = await openAccount(c, email);

    // Filing says nothing about whether the address is known: a stranger's request is answered alike.
    const known = await fileRequest(c, 'access', email);
    const stranger = await fileRequest(c, 'access', 'rights.stranger@example.com');
    const shape = (filed: Filed) => ({ ...filed, id: undefined, receivedAt: undefined });
    expect(shape(known)).toEqual(shape(stranger));
    expect(known).toMatchObject({ kind: 'access', status: 'unverified' });
    expect(JSON.stringify(known)).not.toContain(subjectId);

    // Before the code comes back, nothing is released: staff cannot complete it, and no link is mailed.
    const early = await complete(c, known.id);
    expect(early.statusCode, early.body).toBe(409);
    expect((await readOutbox(c.vow.vault)).filter((message) => message.kind === 'completion')).toEqual([]);

    await verify(c, known.id, email);
    const done = expectStatus(await complete(c, known.id), 200).json<{ outcome: string; exportPath?: string }>();
    expect(done.outcome).toBe('exported');
    const mailed = (await readOutbox(c.vow.vault)).find((message) => message.kind === 'completion' && message.to === email);
    const link = /(\/v1\/requests\/req_[\w-]+\/export\?token=[\w-]+)/.exec(mailed?.text ?? '')?.[1];
    expect(link, mailed?.text).toBe(done.exportPath);
    const download = expectStatus(await c.server.inject({ method: 'GET', url: link ?? '' }), 200);
    const files = Object.fromEntries(Object.entries(unzipSync(new Uint8Array(download.rawPayload))).map(([name, bytes]) => [name, strFromU8(bytes)]));
    expect(files['account.json']).toContain(email);
    // The link works once: whoever reads the mail later gets nothing.
    expect((await c.server.inject({ method: 'GET', url: link ?? '' })).statusCode).toBe(410);

    // The stranger, verified too, learns only that nothing is held.
    await verify(c, stranger.id, 'rights.stranger@example.com');
    const none = expectStatus(await complete(c, stranger.id), 200).json<{ outcome: string; exportPath?: string }>();
    expect(none).toMatchObject({ outcome: 'no-data' });
    expect(none.exportPath).toBeUndefined();

    // A deletion is carried out only once verified, and then nothing of the person remains.
    const leaving = 'rights.deletion@example.com';
    const leaver = await openAccount(c, leaving);
    const deletion = await fileRequest(c, 'deletion', leaving);
    expect(deletion.status).toBe('unverified');
    expect((await complete(c, deletion.id)).statusCode).toBe(409);
    expectStatus(await readAccount(c, leaver), 200);
    await verify(c, deletion.id, leaving);
    expect(expectStatus(await complete(c, deletion.id), 200).json()).toMatchObject({ outcome: 'erased' });
    expectStatus(await readAccount(c, leaver), 404);
    expect(await erasuresOf(c, leaver)).toEqual([expect.objectContaining({ reason: 'request', requestId: deletion.id, erased: true })]);
    const exported = await c.server.inject({ method: 'GET', url: `/v1/subjects/${leaver}/export`, headers: await c.staff('privacy-officer') });
    expect(exported.statusCode).toBe(404);
    // The first account holder, who asked only for a copy, keeps everything.
    expectStatus(await readAccount(c, subjectId), 200);
  },

  async 'minimum-age'(c) {
    const age = c.declaration.minimumAge;
    expect(age).toBeGreaterThan(0);
    if (!asksBirthDate(c)) {
      throw new Error(`the page refuses children under ${age}, but the account category asks no birth date: nothing can refuse a child at sign-up`);
    }
    const dayShort = isoDay(new Date(bornYearsAgo(age).getTime() + DAY_MS));
    for (const birthDate of [dayShort, isoDay(bornYearsAgo(Math.floor(age / 2)))]) {
      const refused = expectStatus(await signUp(c, 'young.signup@example.com', { birthDate }), 403);
      expect(refused.json<{ error: { code: string } }>().error.code, birthDate).toBe('under_minimum_age');
      expect(refused.body).not.toContain('young.signup@example.com');
    }
    await nothingWritten(c);

    // Old enough from the birthday itself, and anyone older.
    const exactly = isoDay(bornYearsAgo(age));
    const admitted = expectStatus(await signUp(c, 'of.age@example.com', { birthDate: exactly }), 201).json<{ id: string }>().id;
    const read = expectStatus(await readAccount(c, admitted), 200).json<{ categories: { records: { fields: Record<string, string> }[] }[] }>();
    expect(read.categories[0]?.records[0]?.fields.birthDate).toBe(exactly);
    await openAccount(c, 'older@example.com', { birthDate: isoDay(bornYearsAgo(age + 20)) });
  },

  async 'child-report-deletion'(c) {
    const officer = await c.staff('privacy-officer');
    // The child got past the gate with a false birth date: only the report tells us.
    const childEmail = 'reported.child@example.com';
    const child = await openAccount(c, childEmail);
    const bystander = await openAccount(c, 'bystander@example.com');
    const reported = await c.server.inject({
      method: 'POST',
      url: '/v1/reports/child',
      payload: { reporterEmail: 'worried.parent@example.com', childEmail, details: `My child is under ${Math.max(c.declaration.minimumAge, 1)} and opened an account.` },
    });
    const { reportId } = expectStatus(reported, 202).json<{ reportId: string }>();
    // Received is not acted on: the child's data stays until staff confirm.
    expectStatus(await readAccount(c, child), 200);

    const confirmed = await c.server.inject({ method: 'POST', url: `/v1/reports/${reportId}/confirm`, headers: officer, payload: {} });
    expect(expectStatus(confirmed, 200).json()).toMatchObject({ status: 'confirmed', outcome: 'erased' });
    expectStatus(await readAccount(c, child), 404);
    expect((await c.server.inject({ method: 'GET', url: `/v1/subjects/${child}/export`, headers: officer })).statusCode).toBe(404);
    expect(await erasuresOf(c, child)).toEqual([expect.objectContaining({ reason: 'child', erased: true })]);
    expectStatus(await readAccount(c, bystander), 200);
  },

  async 'all-ages'(c) {
    expect(c.declaration.minimumAge).toBe(0);
    if (asksBirthDate(c)) {
      // A young child is let in, and no refusal is remembered in the browser.
      const young = expectStatus(await signUp(c, 'young.child@example.com', { birthDate: isoDay(bornYearsAgo(5)) }), 201);
      expect(young.headers['set-cookie']).toBeUndefined();
      expectStatus(await readAccount(c, young.json<{ id: string }>().id), 200);
      return;
    }
    // No age is asked: the declared fields alone open an account, and a birth date is not taken.
    const opened = expectStatus(await signUp(c, 'any.age@example.com'), 201);
    expect(opened.headers['set-cookie']).toBeUndefined();
    const read = expectStatus(await readAccount(c, opened.json<{ id: string }>().id), 200).json<{ categories: { records: { fields: Record<string, string> }[] }[] }>();
    expect(Object.keys(read.categories[0]?.records[0]?.fields ?? {})).not.toContain('birthDate');
    const withAge = await c.server.inject({ method: 'POST', url: '/v1/accounts', payload: { ...plausibleFields(c.declaration, 'account', 'aged@example.com'), birthDate: isoDay(bornYearsAgo(5)) } });
    expect(withAge.statusCode, withAge.body).toBe(400);
  },
};
