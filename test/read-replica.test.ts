/**
 * Reads that may lag a few seconds go to a streaming replica named by DATABASE_READ_URL:
 * the console's lists and reports, the records of processing, published statistics. Writes,
 * and every read that decides one, stay on the primary. Proved on a real standby whose
 * replay is held: what the primary just wrote is missing from the lagging lists until the
 * standby replays it, while every action goes on against the primary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { loadConfig } from '../src/config.js';
import { createReplicatedPair, replicaAvailable, type Replicated } from './support/replica.js';

if (!replicaAvailable) {
  if (process.env.CI || process.env.VOW_REQUIRE_POSTGRES === '1') throw new Error('CI must run the read-replica test: it needs root and PostgreSQL (pg_createcluster)');
  console.warn('SKIPPING the read-replica test: it needs root and pg_createcluster');
}

describe.skipIf(!replicaAvailable)('reads off the primary (DATABASE_READ_URL)', () => {
  const made: { pair?: Replicated; vow?: Vow; dataDir?: string } = {};
  let pair: Replicated;
  let vow: Vow;
  let officer: { authorization: string };

  beforeAll(async () => {
    pair = made.pair = await createReplicatedPair();
    const dataDir = (made.dataDir = mkdtempSync(join(tmpdir(), 'vow-replica-')));
    vow = made.vow = await createVow(loadConfig({ VOW_DATA_DIR: dataDir, DATABASE_URL: pair.primaryUrl, DATABASE_READ_URL: pair.replicaUrl, LOG_LEVEL: 'silent' }));
    officer = { authorization: `Bearer ${(await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret}` };
    await pair.caughtUp();
  }, 120_000);

  afterAll(async () => {
    await made.vow?.close();
    await made.pair?.drop();
    if (made.dataDir) rmSync(made.dataDir, { recursive: true, force: true });
  });

  const queue = async () => (await vow.server.inject({ method: 'GET', url: '/v1/requests', headers: officer })).json<{ requests: { id: string }[] }>().requests.map((request) => request.id);

  it('lists from the standby, which may lag, while filing, acting and reading one request go to the primary', async () => {
    await pair.pauseReplay(true);
    try {
      const filed = await vow.server.inject({ method: 'POST', url: '/v1/requests', headers: officer, payload: { kind: 'question', email: 'lag@example.com', details: 'What do you hold?' } });
      expect(filed.statusCode, filed.body).toBe(202);
      const { id } = filed.json<{ id: string }>();
      // The queue and the overview read the held standby: not there yet.
      expect(await queue()).not.toContain(id);
      expect((await vow.server.inject({ method: 'GET', url: '/v1/overview', headers: officer })).json<{ requests: { pending: number } }>().requests.pending).toBe(0);
      // One request, and every action on it, read and write the primary: no lag there.
      expect((await vow.server.inject({ method: 'GET', url: `/v1/requests/${id}`, headers: officer })).statusCode).toBe(200);
      const approved = await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/approve`, headers: officer, payload: { verification: 'Called back on the number of the account' } });
      expect(approved.statusCode, approved.body).toBe(200);
      await pair.pauseReplay(false);
      await pair.caughtUp();
      expect(await queue()).toContain(id);
      expect((await vow.server.inject({ method: 'GET', url: '/v1/overview', headers: officer })).json<{ requests: { pending: number } }>().requests.pending).toBe(1);
    } finally {
      await pair.pauseReplay(false);
    }
  }, 60_000);

  it('serves the records of processing and the audit log from the standby, and refuses nothing a write needs', async () => {
    await pair.caughtUp();
    expect((await vow.server.inject({ method: 'GET', url: '/v1/ropa', headers: officer })).statusCode).toBe(200);
    const audit = await vow.server.inject({ method: 'GET', url: '/v1/audit?limit=5', headers: officer });
    expect(audit.statusCode, audit.body).toBe(200);
    // The standby is read-only: had any write been sent there, these would fail.
    const signedUp = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'replica.writes@example.com', name: 'Rea Writes', birthDate: '1990-01-01' } });
    expect(signedUp.statusCode, signedUp.body).toBe(201);
    expect((await vow.server.inject({ method: 'GET', url: '/.well-known/vow-audit-checkpoint.json' })).statusCode).toBe(200);
  }, 60_000);
});
