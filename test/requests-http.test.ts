import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { isSaleOptedOut } from '../src/requests/sale-opt-out.js';
import { describeEachDatabase } from './support/databases.js';
import { startSmtp } from './support/smtp.js';
import { tellRecipientsOf } from './support/staff-tasks.js';

interface OutboxJson {
  messages: { id: string; kind: string; to: string; subject: string; text: string; status: string }[];
}
interface RequestJson {
  id: string;
  status: string;
  outcome: string | null;
  subjectId: string | null;
  email?: string;
  events: { type: string; actor: string; data: Record<string, unknown>; note?: string }[];
}

const codeIn = (text: string) => /enter this code: (\d{6})/.exec(text)?.[1] ?? '';
const account = { name: 'Ada Request', birthDate: '1990-01-01' };

async function signUp(vow: Vow, email: string): Promise<string> {
  const response = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { ...account, email } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>().id;
}

async function outbox(vow: Vow, key: string): Promise<OutboxJson['messages']> {
  const response = await vow.server.inject({ method: 'GET', url: '/v1/outbox', headers: { authorization: `Bearer ${key}` } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<OutboxJson>().messages;
}

describeEachDatabase('data-subject requests over HTTP', (database) => {
  it('an access request: the code arrives by SMTP, verifies the request, and the export downloads once through the mailed link', async () => {
    const smtp = await startSmtp();
    const vow = await createVow(database().config({ SMTP_URL: smtp.url, VOW_MAIL_FROM: 'privacy@example.org', VOW_PUBLIC_URL: 'https://privacy.example.org/' }));
    try {
      const { server } = vow;
      const admin = (await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret;
      await signUp(vow, 'ada@example.com');

      const filed = await server.inject({ method: 'POST', url: '/v1/requests', payload: { kind: 'access', email: 'Ada@Example.com' } });
      expect(filed.statusCode, filed.body).toBe(202);
      const { id, status } = filed.json<{ id: string; status: string }>();
      expect(status).toBe('unverified');

      // Delivery is kicked at once, not left for the scheduler's tick.
      const codeMail = await smtp.waitFor((mail) => mail.raw.includes(id) && mail.raw.includes('verification code'));
      expect(codeMail.from).toBe('privacy@example.org');
      expect(codeMail.to.map((to) => to.toLowerCase())).toEqual(['ada@example.com']);
      const code = codeIn(codeMail.raw);
      expect(code).toMatch(/^\d{6}$/);
      // The server accepts the mail a moment before Vow records it as sent.
      await expect.poll(async () => (await outbox(vow, admin)).find((message) => message.kind === 'verification-code')?.status).toBe('sent');

      const early = await server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: { authorization: `Bearer ${admin}` } });
      expect(early.statusCode).toBe(409);
      expect(early.body).toContain('not verified');
      const wrong = await server.inject({ method: 'POST', url: `/v1/requests/${id}/verify`, payload: { code: code === '000000' ? '111111' : '000000' } });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.body).toContain('4 attempts left');
      const right = await server.inject({ method: 'POST', url: `/v1/requests/${id}/verify`, payload: { code } });
      expect(right.statusCode, right.body).toBe(200);
      const again = await server.inject({ method: 'POST', url: `/v1/requests/${id}/verify`, payload: { code } });
      expect(again.statusCode).toBe(409);

      const done = await server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: { authorization: `Bearer ${admin}` } });
      expect(done.statusCode, done.body).toBe(200);
      expect(done.json()).toMatchObject({ status: 'completed', outcome: 'exported', notified: true });
      const linkMail = await smtp.waitFor((mail) => mail.raw.includes(`/v1/requests/${id}/export?token=`));
      // A whole link, on the public origin the operator configured.
      const link = /https:\/\/privacy\.example\.org(\/v1\/requests\/req_[\w-]+\/export\?token=[\w-]+)/.exec(linkMail.raw)?.[1] ?? '';

      const noToken = await server.inject({ method: 'GET', url: `/v1/requests/${id}/export` });
      expect(noToken.statusCode).toBe(401);
      const badToken = await server.inject({ method: 'GET', url: `/v1/requests/${id}/export?token=${'A'.repeat(43)}` });
      expect(badToken.statusCode).toBe(404);
      const download = await server.inject({ method: 'GET', url: link });
      expect(download.statusCode, download.body).toBe(200);
      expect(download.headers['content-type']).toBe('application/zip');
      expect(download.rawPayload.subarray(0, 2).toString('latin1')).toBe('PK');
      const twice = await server.inject({ method: 'GET', url: link });
      expect(twice.statusCode).toBe(410);
      const staff = await server.inject({ method: 'GET', url: `/v1/requests/${id}/export`, headers: { authorization: `Bearer ${admin}` } });
      expect(staff.statusCode).toBe(200);

      const shown = (await server.inject({ method: 'GET', url: `/v1/requests/${id}`, headers: { authorization: `Bearer ${admin}` } })).json<RequestJson>();
      expect(shown.events.map((event) => event.type)).toEqual(['received', 'code-sent', 'code-rejected', 'verified', 'claimed', 'completed', 'export-downloaded', 'export-downloaded']);
      expect(shown.email).toBe('Ada@Example.com');
      // Nothing personal in the clear in the request's tables or the outbox.
      for (const table of ['requests', 'request_events', 'request_codes', 'outbox_messages'] as const) {
        const rows = await vow.store.db.selectFrom(table).selectAll().execute();
        expect(JSON.stringify(rows).toLowerCase()).not.toContain('ada@example.com');
        expect(JSON.stringify(rows)).not.toContain(code);
      }
    } finally {
      await vow.close();
      await smtp.close();
    }
  });

  it('never reveals whether an address is known: the same answer, and a code sent either way; an unknown address ends with "no data held"', async () => {
    const vow = await createVow(database().config());
    try {
      const { server } = vow;
      const officer = (await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret;
      await signUp(vow, 'known@example.com');
      const known = await server.inject({ method: 'POST', url: '/v1/requests', payload: { kind: 'deletion', email: 'known@example.com' } });
      const unknown = await server.inject({ method: 'POST', url: '/v1/requests', payload: { kind: 'deletion', email: 'stranger@example.com' } });
      expect(unknown.statusCode).toBe(known.statusCode);
      const shape = (body: Record<string, unknown>) => ({ ...body, id: undefined, receivedAt: undefined });
      expect(shape(unknown.json())).toEqual(shape(known.json()));

      // No SMTP configured: the mail waits in the outbox for the operator.
      const messages = await outbox(vow, officer);
      expect(messages.filter((message) => message.kind === 'verification-code').map((message) => message.to).sort()).toEqual(['known@example.com', 'stranger@example.com']);
      expect(messages.every((message) => message.status === 'pending')).toBe(true);

      const { id } = unknown.json<{ id: string }>();
      // Both are acknowledged alike too, whatever their jurisdiction turns out to be.
      expect(messages.filter((message) => message.kind === 'acknowledgement').map((message) => message.to).sort()).toEqual(['known@example.com', 'stranger@example.com']);
      const code = codeIn(messages.find((message) => message.to === 'stranger@example.com' && message.kind === 'verification-code')?.text ?? '');
      expect((await server.inject({ method: 'POST', url: `/v1/requests/${id}/verify`, payload: { code } })).statusCode).toBe(200);
      const done = await server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: { authorization: `Bearer ${officer}` } });
      expect(done.json()).toMatchObject({ outcome: 'no-data', notified: true });
      const notice = (await outbox(vow, officer)).find((message) => message.kind === 'completion');
      expect(notice?.to).toBe('stranger@example.com');
      expect(notice?.text).toContain('We hold no personal information associated with the address you gave');

      const support = (await issueApiKey(vow.store.db, { role: 'support', purposes: [], actor: 'test' })).secret;
      expect((await server.inject({ method: 'GET', url: '/v1/outbox', headers: { authorization: `Bearer ${support}` } })).statusCode).toBe(403);
      expect((await server.inject({ method: 'GET', url: '/v1/requests', headers: { authorization: `Bearer ${support}` } })).statusCode).toBe(200);
      expect((await server.inject({ method: 'POST', url: `/v1/requests/${id}/deny`, headers: { authorization: `Bearer ${support}` }, payload: { reason: 'x' } })).statusCode).toBe(403);
    } finally {
      await vow.close();
    }
  });

  it('a deletion filed by staff for a known subject erases it; the notice still reaches the requester and the log keeps only pseudonymous data', async () => {
    const vow = await createVow(database().config());
    try {
      const { server } = vow;
      const officer = (await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret;
      const support = (await issueApiKey(vow.store.db, { role: 'support', purposes: [], actor: 'test' })).secret;
      const subjectId = await signUp(vow, 'gone@example.com');
      const body = { kind: 'deletion', subjectId, verified: true, verification: 'checked passport at the desk' };
      expect((await server.inject({ method: 'POST', url: '/v1/requests', payload: body })).statusCode).toBe(401);
      expect((await server.inject({ method: 'POST', url: '/v1/requests', headers: { authorization: `Bearer ${support}` }, payload: body })).statusCode).toBe(403);
      const filed = await server.inject({ method: 'POST', url: '/v1/requests', headers: { authorization: `Bearer ${officer}` }, payload: body });
      expect(filed.statusCode, filed.body).toBe(202);
      const { id, status } = filed.json<{ id: string; status: string }>();
      expect(status).toBe('open');

      const done = await server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: { authorization: `Bearer ${officer}` } });
      expect(done.statusCode, done.body).toBe(200);
      // Erased at once; the request waits for staff to tell the recipients that have no webhook, then the requester is told.
      expect(done.json()).toMatchObject({ status: 'waiting', outcome: 'erased', notified: false });
      expect(await vow.store.db.selectFrom('subjects').select('id').where('id', '=', subjectId).executeTakeFirst()).toBeUndefined();
      expect((await outbox(vow, officer)).filter((message) => message.kind === 'completion')).toEqual([]);
      const told = await tellRecipientsOf(vow, { authorization: `Bearer ${officer}` }, id);
      expect(told).toContain('email');
      const notice = (await outbox(vow, officer)).find((message) => message.kind === 'completion');
      expect(notice?.to).toBe('gone@example.com');
      expect(notice?.text).toContain('We deleted your personal information');

      const shown = (await server.inject({ method: 'GET', url: `/v1/requests/${id}`, headers: { authorization: `Bearer ${officer}` } })).json<RequestJson>();
      expect(shown).toMatchObject({ status: 'completed', outcome: 'erased', subjectId });
      expect(shown.email).toBeUndefined();
      expect(shown.events.map((event) => event.type)).toEqual(['received', 'verified', 'claimed', 'waiting', ...told.map(() => 'task-confirmed'), 'completed']);
      expect(notice?.text).toContain('Our staff have passed your request on to');
    } finally {
      await vow.close();
    }
  });

  it('a correction is applied once verified; an opt-out takes effect at once without a code; a question is answered', async () => {
    const vow = await createVow(database().config());
    try {
      const { server } = vow;
      const officer = (await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret;
      const subjectId = await signUp(vow, 'fix@example.com');

      const missing = await server.inject({ method: 'POST', url: '/v1/requests', payload: { kind: 'correction', email: 'fix@example.com' } });
      expect(missing.statusCode).toBe(400);
      const correction = await server.inject({ method: 'POST', url: '/v1/requests', payload: { kind: 'correction', email: 'fix@example.com', corrections: { name: 'Ada Corrected' } } });
      const { id } = correction.json<{ id: string }>();
      const approved = await server.inject({
        method: 'POST',
        url: `/v1/requests/${id}/approve`,
        headers: { authorization: `Bearer ${officer}` },
        payload: { verification: 'called back on the number on file' },
      });
      expect(approved.statusCode, approved.body).toBe(200);
      const done = await server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: { authorization: `Bearer ${officer}` } });
      expect(done.json()).toMatchObject({ outcome: 'corrected', fields: ['name'], recipientsNotified: [] });
      const read = await server.inject({ method: 'GET', url: `/v1/accounts/${subjectId}?purpose=provide-services`, headers: { authorization: `Bearer ${officer}` } });
      expect(read.body).toContain('Ada Corrected');

      const optOut = await server.inject({ method: 'POST', url: '/v1/requests', payload: { kind: 'opt-out', email: 'fix@example.com' } });
      expect(optOut.json()).toMatchObject({ status: 'completed' });
      expect(await isSaleOptedOut(vow.store.db, subjectId)).toBe(true);

      const question = await server.inject({ method: 'POST', url: '/v1/requests', headers: { authorization: `Bearer ${officer}` }, payload: { kind: 'question', subjectId, verified: true, verification: 'account holder, signed in', details: 'Who sees my data?' } });
      const qid = question.json<{ id: string }>().id;
      const noAnswer = await server.inject({ method: 'POST', url: `/v1/requests/${qid}/complete`, headers: { authorization: `Bearer ${officer}` }, payload: {} });
      expect(noAnswer.statusCode).toBe(400);
      const answered = await server.inject({ method: 'POST', url: `/v1/requests/${qid}/complete`, headers: { authorization: `Bearer ${officer}` }, payload: { answer: 'Only our hosting provider.' } });
      expect(answered.json()).toMatchObject({ outcome: 'answered' });
      const texts = (await outbox(vow, officer)).map((message) => message.text).join('\n');
      expect(texts).toContain('Only our hosting provider.');
      expect(texts).toContain('We will not sell or share your personal information');
    } finally {
      await vow.close();
    }
  });

  it('the privacy page carries the rights forms; the form files a request and answers in HTML; malformed forms are refused', async () => {
    const vow = await createVow(database().config());
    try {
      const { server } = vow;
      const page = await server.inject({ method: 'GET', url: '/privacy' });
      expect(page.body).toContain('<form method="post" action="/privacy/requests"');
      expect(page.body).toContain('action="/privacy/reports/child"');
      expect(page.body).toContain('href="#your-rights"');
      expect(page.headers['content-security-policy']).toContain("form-action 'self'");
      expect(page.headers['content-security-policy']).not.toContain('script-src');
      const openapi = await server.inject({ method: 'GET', url: '/openapi.json' });
      expect(openapi.statusCode).toBe(200);
      expect(Object.keys(openapi.json<{ paths: Record<string, unknown> }>().paths)).toEqual(expect.arrayContaining(['/v1/requests', '/v1/requests/{id}/verify', '/v1/outbox', '/privacy/requests']));

      const form = 'kind=access&email=form%40example.com&details=Caf%C3%A9+please&jurisdiction=FR';
      const posted = await server.inject({ method: 'POST', url: '/privacy/requests', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form });
      expect(posted.statusCode, posted.body).toBe(202);
      expect(posted.headers['content-type']).toContain('text/html');
      expect(posted.body).toContain('Check your e-mail');
      const id = /name="request" value="(req_[\w-]+)"/.exec(posted.body)?.[1] ?? '';
      const officer = (await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret;
      const shown = (await server.inject({ method: 'GET', url: `/v1/requests/${id}`, headers: { authorization: `Bearer ${officer}` } })).json<RequestJson & { details: string; jurisdiction: string }>();
      expect(shown).toMatchObject({ email: 'form@example.com', details: 'Café please', jurisdiction: 'gdpr' });
      const code = codeIn((await outbox(vow, officer)).find((message) => message.to === 'form@example.com' && message.kind === 'verification-code')?.text ?? '');
      const verified = await server.inject({ method: 'POST', url: '/privacy/requests/verify', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `request=${id}&code=${code}` });
      expect(verified.statusCode).toBe(200);
      expect(verified.body).toContain('Confirmed');

      for (const bad of ['kind=access&kind=deletion&email=a%40b.co', 'kind=access&email=a%40b.co&x=%ZZ', 'kind=access&email=a%40b.co&details=%FF', 'kind=access&email=a@b.co<script>', 'kind=access&email=a%40b.co&extra=1']) {
        const refused = await server.inject({ method: 'POST', url: '/privacy/requests', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: bad });
        expect(refused.statusCode, bad).toBe(400);
        expect(refused.headers['content-type']).toContain('text/html');
        expect(refused.body).not.toContain('<script>');
      }
      const tooLarge = await server.inject({ method: 'POST', url: '/privacy/requests', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `kind=access&email=a%40b.co&details=${'a'.repeat(20_000)}` });
      expect(tooLarge.statusCode).toBe(413);

      const child = await server.inject({
        method: 'POST',
        url: '/privacy/reports/child',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'childEmail=kid%40example.com&reporterEmail=&details=My+child+signed+up',
      });
      expect(child.statusCode, child.body).toBe(202);
      expect(child.body).toContain('We received your report');
    } finally {
      await vow.close();
    }
  });
});

describeEachDatabase('what staff may read of requests and mail', (database) => {
  it('shows request contents and mail only to keys issued for legal compliance, audits each read, and never shows a code once sent', async () => {
    const smtp = await startSmtp();
    const vow = await createVow(database().config({ SMTP_URL: smtp.url }));
    try {
      const { server } = vow;
      const key = async (role: 'admin' | 'privacy-officer' | 'support' | 'auditor', purposes: string[] = []) =>
        ({ authorization: `Bearer ${(await issueApiKey(vow.store.db, { role, purposes, actor: 'test' })).secret}` });
      await signUp(vow, 'grace@example.com');
      const filed = await server.inject({ method: 'POST', url: '/v1/requests', payload: { kind: 'question', email: 'grace@example.com', details: 'What do you keep about my robot arm?' } });
      expect(filed.statusCode, filed.body).toBe(202);
      const { id } = filed.json<{ id: string }>();

      const read = async (headers: Record<string, string>) => {
        const response = await server.inject({ method: 'GET', url: `/v1/requests/${id}`, headers });
        expect(response.statusCode, response.body).toBe(200);
        return response.json<{ email?: string; details?: string; status: string }>();
      };
      // Support without purposes, and an auditor issued for another purpose, see the request's state, not what was written.
      for (const headers of [await key('support'), await key('auditor', ['communicate'])]) {
        const shown = await read(headers);
        expect(shown.status).toBe('unverified');
        expect(shown).not.toHaveProperty('email');
        expect(shown).not.toHaveProperty('details');
      }
      const auditors = await key('auditor', ['legal-compliance']);
      expect(await read(auditors)).toMatchObject({ email: 'grace@example.com', details: 'What do you keep about my robot arm?' });
      const reads = await vow.store.db.selectFrom('audit_log').select(['action', 'target', 'actor']).where('action', '=', 'staff.read').execute();
      expect(reads).toEqual([expect.objectContaining({ target: `request:${id}` })]);

      // Mail: only for keys covering legal compliance, audited, and a code that has gone out is masked.
      const scopedOfficer = await key('privacy-officer', ['communicate']);
      const refused = await server.inject({ method: 'GET', url: '/v1/outbox', headers: scopedOfficer });
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('rule: key-purpose');
      const codeMail = await smtp.waitFor((mail) => mail.raw.includes('verification code'));
      const code = codeIn(codeMail.raw);
      expect(code).toMatch(/^\d{6}$/);
      const admin = (await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret;
      await expect.poll(async () => (await outbox(vow, admin)).find((message) => message.kind === 'verification-code')?.status).toBe('sent');
      const sent = (await outbox(vow, admin)).find((message) => message.kind === 'verification-code');
      expect(sent?.text).toContain('enter this code: [sent; not shown]');
      expect(sent?.text).not.toContain(code);
      const outboxReads = await vow.store.db.selectFrom('audit_log').select('target').where('action', '=', 'staff.read').where('target', '=', 'outbox').execute();
      expect(outboxReads.length).toBeGreaterThan(0);
    } finally {
      await vow.close();
      await smtp.close();
    }
  });
});
