/**
 * A request's completion and a child report's confirmation, failing at each step: the
 * work finishes when claimed work is resumed (as a restarted server does), exactly once,
 * and the requester is told exactly once, even after an erasure destroyed the key their
 * address was sealed with. The crash tests (crash-resume.test.ts) kill a real server at
 * the same steps.
 */
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import type { FaultPoint } from '../src/fault-points.js';
import { resumeClaimedWork } from '../src/jobs/claimed-work.js';
import { readOutbox } from '../src/outbox/outbox.js';
import { completeRecipientTask } from '../src/webhooks/recipient-tasks.js';
import { describeEachDatabase } from './support/databases.js';
import { tellRecipientsOf } from './support/staff-tasks.js';

type Headers = { authorization: string };

/** Fails once, at one step, as a dropped connection or a full disk would. */
function failOnceAt(vow: Vow, point: FaultPoint): void {
  let armed = true;
  vow.vault.faults = (reached) => {
    if (armed && reached === point) {
      armed = false;
      throw new Error(`injected failure at ${point}`);
    }
  };
}

async function signUp(vow: Vow, email: string): Promise<string> {
  const response = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email, name: 'Ada Once', birthDate: '1990-01-01' } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>().id;
}

async function fileByStaff(vow: Vow, officer: Headers, payload: Record<string, unknown>): Promise<string> {
  const filed = await vow.server.inject({ method: 'POST', url: '/v1/requests', headers: officer, payload: { verified: true, verification: 'checked at the desk', ...payload } });
  expect(filed.statusCode, filed.body).toBe(202);
  return filed.json<{ id: string }>().id;
}

/** What a restarted server does first. */
const resume = (vow: Vow) => resumeClaimedWork(vow.vault, { claimedBefore: new Date(Date.now() + 1000) });

async function requestStatus(vow: Vow, id: string): Promise<{ status: string; completion: string | null }> {
  return vow.store.db.selectFrom('requests').select(['status', 'completion']).where('id', '=', id).executeTakeFirstOrThrow();
}

async function noticesOf(vow: Vow, requestId: string) {
  return (await readOutbox(vow.vault)).filter((message) => message.kind === 'completion' && message.text.includes(requestId));
}

async function tasksOf(vow: Vow, subjectId: string, event: 'erasure' | 'correction') {
  return vow.store.db.selectFrom('recipient_tasks').select('recipient').where('subject_id', '=', subjectId).where('event', '=', event).execute();
}

const requestSteps: FaultPoint[] = ['request.claimed', 'request.carried-out', 'request.completed'];
const reportSteps: FaultPoint[] = ['child-report.claimed', 'child-report.carried-out', 'child-report.confirmed'];

describeEachDatabase('work that spans steps is done exactly once, whatever fails', (database) => {
  let vow: Vow;
  let officer: Headers;
  const open = async () => {
    vow = await createVow(database().config());
    officer = { authorization: `Bearer ${(await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret}` };
  };
  const complete = (id: string) => vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: officer });

  for (const step of requestSteps) {
    it(`an erasure that fails at ${step} is finished on resume once, and the requester still told, once`, async () => {
      await open();
      try {
        const subjectId = await signUp(vow, 'erase.me@example.com');
        const id = await fileByStaff(vow, officer, { kind: 'deletion', subjectId });
        failOnceAt(vow, step);
        expect((await complete(id)).statusCode).toBe(500);
        const committed = step === 'request.completed';
        expect((await requestStatus(vow, id)).status).toBe(committed ? 'waiting' : 'completing');
        // Inside the transaction, a failure leaves nothing of the erasure behind.
        expect(await vow.store.db.selectFrom('subjects').select('id').where('id', '=', subjectId).executeTakeFirst()).toEqual(committed ? undefined : { id: subjectId });

        if (!committed) {
          const again = await complete(id);
          expect(again.statusCode).toBe(409);
          expect(again.json<{ error: { message: string } }>().error.message).toContain('finishes on its own');
        }
        expect(await resume(vow)).toEqual({ finished: committed ? 0 : 1, failed: 0 });
        expect(await resume(vow)).toEqual({ finished: 0, failed: 0 });
        // The recipients without a webhook are staff's to tell: the request waits for them, then closes.
        expect((await requestStatus(vow, id)).status).toBe('waiting');
        expect(await tellRecipientsOf(vow, officer, id)).not.toEqual([]);

        expect(await requestStatus(vow, id)).toEqual({ status: 'completed', completion: null });
        expect(await vow.store.db.selectFrom('subjects').select('id').where('id', '=', subjectId).executeTakeFirst()).toBeUndefined();
        expect(await vow.store.db.selectFrom('erasures').select('id').where('subject_id', '=', subjectId).execute()).toHaveLength(1);
        const notices = await noticesOf(vow, id);
        expect(notices.map((message) => message.to)).toEqual(['erase.me@example.com']);
        expect(notices[0]?.text).toContain('We deleted your personal information');
        const tasks = await tasksOf(vow, subjectId, 'erasure');
        expect(tasks.length).toBeGreaterThan(0);
        expect(new Set(tasks.map((task) => task.recipient)).size).toBe(tasks.length);
      } finally {
        await vow.close();
      }
    });

    it(`a correction that fails at ${step} is applied once on resume, its recipients told once`, async () => {
      await open();
      try {
        const subjectId = await signUp(vow, 'fix.me@example.com');
        const id = await fileByStaff(vow, officer, { kind: 'correction', subjectId, corrections: { name: 'Ada Corrected' } });
        failOnceAt(vow, step);
        expect((await complete(id)).statusCode).toBe(500);
        await resume(vow);
        await tellRecipientsOf(vow, officer, id);

        expect(await requestStatus(vow, id)).toEqual({ status: 'completed', completion: null });
        const updates = await vow.store.db.selectFrom('audit_log').select('action').where('target', '=', `subject:${subjectId}`).where('action', '=', 'account.updated').execute();
        expect(updates).toHaveLength(1);
        const support = (await issueApiKey(vow.store.db, { role: 'support', purposes: ['communicate'], actor: 'test' })).secret;
        const account = await vow.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/data?purpose=communicate`, headers: { authorization: `Bearer ${support}` } });
        expect(account.json()).toMatchObject({ categories: [{ category: 'account', records: [{ fields: { name: 'Ada Corrected', email: 'fix.me@example.com' } }] }] });
        const tasks = await tasksOf(vow, subjectId, 'correction');
        expect(tasks.length).toBeGreaterThan(0);
        expect(new Set(tasks.map((task) => task.recipient)).size).toBe(tasks.length);
        expect((await noticesOf(vow, id)).map((message) => message.to)).toEqual(['fix.me@example.com']);
      } finally {
        await vow.close();
      }
    });

    it(`an access export that fails at ${step} is saved once on resume, and its link mailed once`, async () => {
      await open();
      try {
        const subjectId = await signUp(vow, 'see.me@example.com');
        const id = await fileByStaff(vow, officer, { kind: 'access', subjectId });
        failOnceAt(vow, step);
        expect((await complete(id)).statusCode).toBe(500);
        await resume(vow);

        expect(await requestStatus(vow, id)).toEqual({ status: 'completed', completion: null });
        expect(await vow.store.db.selectFrom('request_exports').select('request_id').where('request_id', '=', id).execute()).toHaveLength(1);
        const notices = await noticesOf(vow, id);
        expect(notices).toHaveLength(1);
        const link = /(\/v1\/requests\/req_[\w-]+\/export\?token=[\w-]+)/.exec(notices[0]?.text ?? '')?.[1] ?? '';
        const download = await vow.server.inject({ method: 'GET', url: link });
        expect(download.statusCode, download.body).toBe(200);
        expect(download.headers['content-type']).toContain('application/zip');
      } finally {
        await vow.close();
      }
    });
  }

  for (const step of reportSteps) {
    it(`a child report's confirmation that fails at ${step} erases the child once on resume and tells the reporter once`, async () => {
      await open();
      try {
        const child = await signUp(vow, 'kid.once@example.com');
        const filed = await vow.server.inject({ method: 'POST', url: '/v1/reports/child', payload: { reporterEmail: 'parent.once@example.com', childEmail: 'kid.once@example.com', details: 'My daughter is 9.' } });
        expect(filed.statusCode, filed.body).toBe(202);
        const reportId = filed.json<{ reportId: string }>().reportId;
        failOnceAt(vow, step);
        const confirmed = await vow.server.inject({ method: 'POST', url: `/v1/reports/${reportId}/confirm`, headers: officer, payload: {} });
        expect(confirmed.statusCode).toBe(500);
        const committed = step === 'child-report.confirmed';
        expect(await resume(vow)).toEqual({ finished: committed ? 0 : 1, failed: 0 });

        const report = await vow.server.inject({ method: 'GET', url: `/v1/reports/${reportId}`, headers: officer });
        expect(report.json()).toMatchObject({ status: 'confirmed', outcome: 'erased', childEmail: null, details: null });
        expect(await vow.store.db.selectFrom('subjects').select('id').where('id', '=', child).executeTakeFirst()).toBeUndefined();
        expect(await vow.store.db.selectFrom('erasures').select('id').where('subject_id', '=', child).execute()).toHaveLength(1);
        const told = (await readOutbox(vow.vault)).filter((message) => message.kind === 'child-report' && message.to === 'parent.once@example.com');
        // The receipt of the report, then the confirmation: one each.
        expect(told).toHaveLength(2);
      } finally {
        await vow.close();
      }
    });
  }

  it('two completions of one correction at once: one applies it, the other is refused, and the recipients are told once', async () => {
    await open();
    try {
      const subjectId = await signUp(vow, 'twice@example.com');
      const id = await fileByStaff(vow, officer, { kind: 'correction', subjectId, corrections: { name: 'Ada Twice' } });
      const answers = await Promise.all([complete(id), complete(id)]);
      expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 409]);
      const updates = await vow.store.db.selectFrom('audit_log').select('action').where('target', '=', `subject:${subjectId}`).where('action', '=', 'account.updated').execute();
      expect(updates).toHaveLength(1);
      const tasks = await tasksOf(vow, subjectId, 'correction');
      expect(new Set(tasks.map((task) => task.recipient)).size).toBe(tasks.length);
      expect((await tellRecipientsOf(vow, officer, id)).sort()).toEqual(tasks.map((task) => task.recipient).sort());
      expect(await noticesOf(vow, id)).toHaveLength(1);
    } finally {
      await vow.close();
    }
  });

  it('a request whose last recipient task was confirmed by a process that died before finishing it is finished on resume, once', async () => {
    await open();
    try {
      const subjectId = await signUp(vow, 'last.task@example.com');
      const id = await fileByStaff(vow, officer, { kind: 'deletion', subjectId });
      expect((await complete(id)).json()).toMatchObject({ status: 'waiting' });
      // Every task closed as the confirming process would, and then it dies: the request is left waiting.
      const waiting = await vow.store.db.selectFrom('recipient_tasks').select('id').where('request_id', '=', id).execute();
      for (const task of waiting) await completeRecipientTask(vow.store.db, { id: task.id, actor: 'test', reason: 'told' });
      expect((await requestStatus(vow, id)).status).toBe('waiting');
      expect(await resume(vow)).toEqual({ finished: 1, failed: 0 });
      expect(await resume(vow)).toEqual({ finished: 0, failed: 0 });
      expect(await requestStatus(vow, id)).toEqual({ status: 'completed', completion: null });
      expect((await noticesOf(vow, id)).map((message) => message.to)).toEqual(['last.task@example.com']);
    } finally {
      await vow.close();
    }
  });

  it('a correction refused when carried out (the address is now another account’s) goes back to staff, open, and says why', async () => {
    await open();
    try {
      const subjectId = await signUp(vow, 'mine@example.com');
      const id = await fileByStaff(vow, officer, { kind: 'correction', subjectId, corrections: { email: 'taken@example.com' } });
      await signUp(vow, 'taken@example.com');
      const refused = await complete(id);
      expect(refused.statusCode, refused.body).toBe(409);
      expect(refused.body).toContain('another subject already has this e-mail address');
      expect(await requestStatus(vow, id)).toEqual({ status: 'open', completion: null });
      const shown = await vow.server.inject({ method: 'GET', url: `/v1/requests/${id}`, headers: officer });
      expect(shown.json<{ events: { type: string; data: Record<string, unknown> }[] }>().events.slice(-2)).toMatchObject([
        { type: 'claimed' },
        { type: 'completion-refused', data: { code: 'conflict' } },
      ]);
    } finally {
      await vow.close();
    }
  });
});
