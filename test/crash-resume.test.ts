/**
 * A real server killed (SIGKILL: no handler, no flush) at a step of a request's
 * completion or a report's confirmation; the next server started on the same database
 * finishes the work by itself, exactly once, and the person is told once.
 */
import { once } from 'node:events';
import { expect, it } from 'vitest';
import { issueApiKey } from '../src/auth/api-key.js';
import type { FaultPoint } from '../src/fault-points.js';
import { readOutbox } from '../src/outbox/outbox.js';
import { openStore, type Store } from '../src/store/open-store.js';
import { openVault } from '../src/vault/open-vault.js';
import { examplePolicyFile } from '../src/config.js';
import { loadDeclaration } from '../src/policy/load-declaration.js';
import { describeEachDatabase, type TestDatabase } from './support/databases.js';
import { serveProcess, stopProcess, type ServerProcess } from './support/serve-process.js';

function serve(database: TestDatabase, env: Record<string, string> = {}): Promise<ServerProcess> {
  return serveProcess({ VOW_DATA_DIR: database.dataDir, DATABASE_URL: database.url ?? '', ...env });
}

/** Issues a staff key straight into the database, before any server runs. */
function officerKey(database: TestDatabase): Promise<string> {
  return withStore(database, async (store) => (await issueApiKey(store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret);
}

async function withStore<T>(database: TestDatabase, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(database.config());
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

interface Work {
  name: string;
  step: FaultPoint;
  /** Prepares the work on the doomed server and returns the call that kills it, and how to read its status. */
  start(call: Call): Promise<{ trigger: () => Promise<unknown>; status: () => Promise<string>; done: string; subjectId: string; to: string; staffTasks?: () => Promise<void> }>;
}

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: () => Promise<Record<string, unknown>> }>;

const signUp = async (call: Call, email: string) => (await (await call('POST', '/v1/accounts', { email, name: 'Ada Crash', birthDate: '1990-01-01' })).json()).id as string;

const request = (kind: 'deletion' | 'correction' | 'access', step: FaultPoint): Work => ({
  name: kind,
  step,
  async start(call) {
    const to = `${kind}.${step}@example.com`;
    const subjectId = await signUp(call, to);
    const filed = await call('POST', '/v1/requests', { kind, subjectId, verified: true, verification: 'checked at the desk', ...(kind === 'correction' ? { corrections: { name: 'Ada Fixed' } } : {}) });
    const id = (await filed.json()).id as string;
    const status = async () => (await (await call('GET', `/v1/requests/${id}`)).json()).status as string;
    return {
      trigger: () => call('POST', `/v1/requests/${id}/complete`),
      status,
      done: 'completed',
      subjectId,
      to,
      // The example's recipients have no webhook: once the erasure or correction is done, staff tell them.
      staffTasks:
        kind === 'access'
          ? undefined
          : async () => {
              await expect.poll(status, { timeout: 10_000, interval: 100 }).toBe('waiting');
              const tasks = (await (await call('GET', `/v1/requests/${id}`)).json()).tasks as { id: string; status: string }[];
              for (const task of tasks.filter((candidate) => candidate.status === 'waiting-for-staff')) {
                expect((await call('POST', `/v1/requests/${id}/tasks/${task.id}/done`, { reason: 'told the recipient' })).status).toBe(200);
              }
            },
    };
  },
});

const childReport = (step: FaultPoint): Work => ({
  name: 'child report',
  step,
  async start(call) {
    const subjectId = await signUp(call, `kid.${step}@example.com`);
    const to = `parent.${step}@example.com`;
    const filed = await call('POST', '/v1/reports/child', { reporterEmail: to, childEmail: `kid.${step}@example.com`, details: 'She is 10.' });
    const id = (await filed.json()).reportId as string;
    return {
      trigger: () => call('POST', `/v1/reports/${id}/confirm`, {}),
      status: async () => (await (await call('GET', `/v1/reports/${id}`)).json()).status as string,
      done: 'confirmed',
      subjectId,
      to,
    };
  },
});

const works: Work[] = [
  request('deletion', 'request.claimed'),
  request('deletion', 'request.carried-out'),
  request('correction', 'request.carried-out'),
  request('access', 'request.claimed'),
  childReport('child-report.claimed'),
  childReport('child-report.carried-out'),
];

describeEachDatabase('a server killed mid-way', (database) => {
  for (const work of works) {
    it(`finishes a ${work.name} killed at ${work.step} on restart, exactly once`, async () => {
      const key = await officerKey(database());
      const doomed = await serve(database(), { VOW_CRASH_AT: work.step });
      let next: ServerProcess | undefined;
      try {
        let base = doomed.url;
        const call: Call = async (method, path, body) => {
          const response = await fetch(`${base}${path}`, {
            method,
            headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          return { status: response.status, json: () => response.json() as Promise<Record<string, unknown>> };
        };
        const started = await work.start(call);
        const died = once(doomed.child, 'exit');
        await expect(started.trigger()).rejects.toThrow();
        const [, signal] = (await died) as [number | null, string | null];
        expect(signal).toBe('SIGKILL');

        next = await serve(database());
        base = next.url;
        await started.staffTasks?.();
        await expect.poll(started.status, { timeout: 10_000, interval: 100 }).toBe(started.done);

        await withStore(database(), async (store) => {
          const erasures = await store.db.selectFrom('erasures').select('id').where('subject_id', '=', started.subjectId).execute();
          expect(erasures).toHaveLength(work.name === 'deletion' || work.name === 'child report' ? 1 : 0);
          const updates = await store.db.selectFrom('audit_log').select('seq').where('target', '=', `subject:${started.subjectId}`).where('action', '=', 'account.updated').execute();
          expect(updates).toHaveLength(work.name === 'correction' ? 1 : 0);
          const { declaration } = await loadDeclaration(examplePolicyFile);
          const vault = await openVault({ db: store.db, dataDir: database().dataDir, masterKeys: undefined, masterKeyFile: undefined, declaration });
          const mails = (await readOutbox(vault)).filter((message) => message.to === started.to);
          if (work.name === 'child report') {
            // The receipt of the report before the crash, then the confirmation.
            expect(mails.filter((message) => message.kind === 'child-report')).toHaveLength(2);
          } else {
            expect(mails.filter((message) => message.kind === 'completion')).toHaveLength(1);
          }
        });
      } finally {
        await stopProcess(doomed);
        if (next) await stopProcess(next);
      }
    });
  }
});
