/**
 * Section 7 warns that e-mail is not secure. Where the declaration states that warning
 * (`security.emailWarning`), it reaches people where e-mail is involved: beside every
 * e-mail field of the privacy page's forms, tied to the field for assistive technology,
 * and at the end of every mail Vow sends a person. A declaration without one shows none.
 */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { remindDueRequests } from '../src/requests/request-jobs.js';
import { describeEachDatabase } from './support/databases.js';
import { startSmtp } from './support/smtp.js';

const selfHosted = fileURLToPath(new URL('../examples/self-hosted/vow.policy.yaml', import.meta.url));
/** The warning of examples/airobotics (the default declaration of a test config). */
const warning =
  'No Internet or e-mail transmission is ever fully secure or error free. In particular, e-mail sent to or from us may not be secure. Therefore, you should take special care in deciding what information you send to us via the Service or e-mail.';

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const codeIn = (text: string) => /enter this code: (\d{6})/.exec(text)?.[1] ?? '';

interface OutboxMessage {
  kind: string;
  to: string;
  text: string;
}

async function outbox(vow: Vow): Promise<OutboxMessage[]> {
  const officer = (await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret;
  const response = await vow.server.inject({ method: 'GET', url: '/v1/outbox', headers: { authorization: `Bearer ${officer}` } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ messages: OutboxMessage[] }>().messages;
}

/** Each e-mail input of the page, with the text of the elements its aria-describedby names. */
function emailFields(page: string): { name: string; description: string }[] {
  return [...page.matchAll(/<input [^>]*type="email"[^>]*>/g)].map(([input]) => {
    const name = /name="([^"]+)"/.exec(input)?.[1] ?? '';
    const ids = (/aria-describedby="([^"]+)"/.exec(input)?.[1] ?? '').split(' ').filter((id) => id !== '');
    const description = ids.map((id) => new RegExp(`<p id="${id}"[^>]*>([^<]*)</p>`).exec(page)?.[1] ?? `(no element ${id})`).join(' ');
    return { name, description };
  });
}

/** Files an access request through the page's form, verifies it with the mailed code and completes it. */
async function requestThroughTheForm(vow: Vow, email: string): Promise<void> {
  const posted = await vow.server.inject({ method: 'POST', url: '/privacy/requests', headers: form, payload: `kind=access&email=${encodeURIComponent(email)}` });
  expect(posted.statusCode, posted.body).toBe(202);
  const id = /name="request" value="(req_[\w-]+)"/.exec(posted.body)?.[1] ?? '';
  const code = codeIn((await outbox(vow)).find((message) => message.kind === 'verification-code' && message.to === email)?.text ?? '');
  const verified = await vow.server.inject({ method: 'POST', url: '/privacy/requests/verify', headers: form, payload: `request=${id}&code=${code}` });
  expect(verified.statusCode, verified.body).toBe(200);
  const admin = (await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret;
  const done = await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: { authorization: `Bearer ${admin}` } });
  expect(done.statusCode, done.body).toBe(200);
}

describeEachDatabase('the declaration’s warning about e-mail', (database) => {
  it('is stated in section 7 and beside every e-mail field of the page’s forms, which each point to it with aria-describedby', async () => {
    const vow = await createVow(database().config());
    try {
      const page = (await vow.server.inject({ method: 'GET', url: '/privacy' })).body;
      expect(page).toContain(`However, no Internet or e-mail transmission is ever fully secure`);
      const fields = emailFields(page);
      expect(fields.map((field) => field.name)).toEqual(['email', 'childEmail', 'reporterEmail']);
      for (const field of fields) expect(field.description, field.name).toBe(warning);
    } finally {
      await vow.close();
    }
  });

  it('ends a request’s verification mail and its completion mail, as delivered over SMTP', async () => {
    const smtp = await startSmtp();
    const vow = await createVow(database().config({ SMTP_URL: smtp.url }));
    try {
      await requestThroughTheForm(vow, 'reader@example.com');
      const messages = (await outbox(vow)).filter((message) => message.to === 'reader@example.com');
      expect(messages.map((message) => message.kind).sort()).toEqual(['acknowledgement', 'completion', 'verification-code']);
      for (const message of messages) expect(message.text.trimEnd().endsWith(`\n\n${warning}`), message.kind).toBe(true);
      const code = await smtp.waitFor((mail) => mail.raw.includes('your verification code'));
      const completion = await smtp.waitFor((mail) => mail.raw.includes('your request is complete'));
      for (const mail of [code, completion]) expect(mail.raw).toContain(warning);
    } finally {
      await vow.close();
      await smtp.close();
    }
  });

  it('ends the mail to a person who reports a child’s data, and not the reminders staff receive', async () => {
    const vow = await createVow(database().config());
    try {
      const reported = await vow.server.inject({
        method: 'POST',
        url: '/privacy/reports/child',
        headers: form,
        payload: 'childEmail=kid%40example.com&reporterEmail=parent%40example.com&details=My+child+signed+up',
      });
      expect(reported.statusCode, reported.body).toBe(202);
      const filed = await vow.server.inject({ method: 'POST', url: '/v1/requests', payload: { kind: 'access', email: 'late@example.com' } });
      expect(filed.statusCode, filed.body).toBe(202);
      expect(await remindDueRequests(vow.vault, new Date(Date.now() + 40 * 24 * 60 * 60 * 1000))).toEqual({ reminded: 1 });
      const messages = await outbox(vow);
      const toReporter = messages.find((message) => message.kind === 'child-report');
      expect(toReporter?.to).toBe('parent@example.com');
      expect(toReporter?.text.trimEnd().endsWith(warning)).toBe(true);
      const reminder = messages.find((message) => message.kind === 'reminder');
      expect(reminder?.to).toBe(vow.vault.declaration.organization.contactEmail);
      expect(reminder?.text).not.toContain('e-mail transmission');
    } finally {
      await vow.close();
    }
  });

  it('is nowhere when the declaration has none: not in section 7, not beside the fields, not in the mails', async () => {
    const vow = await createVow(database().config({ VOW_POLICY: selfHosted }));
    try {
      const page = (await vow.server.inject({ method: 'GET', url: '/privacy' })).body;
      expect(page).not.toContain('e-mail transmission');
      expect(page).not.toContain('aria-describedby');
      expect(page).toContain('<p>We are not responsible for circumvention of any privacy settings');
      await requestThroughTheForm(vow, 'reader@example.com');
      const messages = (await outbox(vow)).filter((message) => message.to === 'reader@example.com');
      expect(messages.map((message) => message.kind).sort()).toEqual(['acknowledgement', 'completion', 'verification-code']);
      const { organization } = vow.vault.declaration;
      for (const message of messages) {
        expect(message.text, message.kind).not.toContain('e-mail transmission');
        expect(message.text.endsWith(`${organization.name}\n${organization.contactEmail}\n`), message.kind).toBe(true);
      }
    } finally {
      await vow.close();
    }
  });
});
