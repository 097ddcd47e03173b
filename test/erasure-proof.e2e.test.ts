/**
 * The end-to-end proof of erasure (issue 5, item 7): a subject with an account, messages,
 * social data, browsing events, consents and a disclosure to a recipient with a webhook is
 * erased through a deletion request; then the raw bytes of every place Vow writes — the
 * SQLite file and its WAL, a pg_dump of PostgreSQL, a backup taken before the erasure and
 * restored after it, the server's logs — are searched for the subject's e-mail address,
 * name and message text. There must be no hit, the recipient must have received a notice
 * it can verify, and the audit chain must still verify.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { expect, it } from 'vitest';
import { createVow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { runCli } from '../src/cli/run-cli.js';
import type { Banner } from '../src/consent/banner.js';
import type { ConsentResult } from '../src/consent/record-consent.js';
import { SQLITE_FILE } from '../src/store/open-store.js';
import { describeEachDatabase } from './support/databases.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A recipient's endpoint: a real HTTP server that keeps what it is sent. */
async function startRecipient() {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/vow-notices`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** The recipient's check, written from docs/webhooks.md rather than imported from Vow. */
function signedBy(secret: string, { headers, body }: Received): boolean {
  const header = String(headers['vow-signature'] ?? '');
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2] ?? '', 'hex'));
}

async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describeEachDatabase('erasure that reaches everything', (database) => {
  it("leaves no trace of the subject's e-mail, name or messages in the database, its logs or backups, notifies the recipient and keeps the audit chain whole", async () => {
    const db = database();
    const unique = randomBytes(4).toString('hex');
    const person = {
      email: `erin.quill.${unique}@example.org`,
      name: `Erin Quillfeather${unique}`,
      message: `My robot is called Zorblax ${unique}, please fix its left arm`,
      comment: `Zorblax ${unique} says hello from Instagram`,
    };
    const needles = [person.email, person.name, person.message, person.comment, `Quillfeather${unique}`, `Zorblax ${unique}`];
    const logFile = join(db.dataDir, 'server.log');
    const backupFile = join(db.dataDir, 'before-erasure.vowbackup');
    const config = db.config({ LOG_LEVEL: 'debug', VOW_WEBHOOK_PRIVATE_ADDRESSES: '1' });
    const cli = async (...argv: string[]) => {
      const out: string[] = [];
      const code = await runCli(argv, config, { out: (text) => out.push(text), err: (text) => out.push(text) });
      return { code, out: out.join('\n') };
    };

    let subjectId = '';
    const recipient = await startRecipient();
    const logs = createWriteStream(logFile, { mode: 0o600 });
    const vow = await createVow(config, { logStream: logs });
    try {
      await vow.server.listen({ port: 0, host: '127.0.0.1' });
      const { port } = vow.server.server.address() as AddressInfo;
      const base = `http://127.0.0.1:${port}`;
      const admin = (await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret;
      const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${admin}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
          ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        });
        return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
      };
      const json = (response: { body: Buffer }): unknown => JSON.parse(response.body.toString('utf8'));

      // The subject: an account, a message, a social comment, browsing with consent, linked.
      const account = await call('POST', '/v1/accounts', { email: person.email, name: person.name, birthDate: '1991-04-12' });
      expect(account.status, account.body.toString()).toBe(201);
      subjectId = (json(account) as { id: string }).id;
      expect((await call('POST', '/v1/communications', { name: person.name, email: person.email, message: person.message })).status).toBe(202);
      // Staff know the writer holds the address: the message joins the account.
      expect(json(await call('POST', `/v1/accounts/${subjectId}/contacts`, { email: person.email }))).toEqual({ subjectId, linked: true });
      const csv = ['platform,username,full_name,email,kind,text,timestamp', `instagram,@erin_${unique},${person.name},${person.email},comment,${person.comment},2026-11-20T10:00:00Z`].join('\n');
      expect((await call('POST', '/v1/social/imports', csv, { 'content-type': 'text/csv' })).status).toBe(201);
      const banner = json(await call('GET', '/v1/consent/banner')) as Banner;
      const consent = json(
        await call('POST', '/v1/consent', { granted: ['analytics'], refused: ['advertising'], source: 'banner', policyVersion: banner.policyVersion, bannerHash: banner.bannerHash }),
      ) as ConsentResult;
      const events = await call('POST', '/v1/events', {
        visitorId: consent.visitorId,
        events: [{ category: 'usage-data', name: 'page_view', path: `/profile/${person.name}`, occurredAt: new Date().toISOString() }],
      });
      expect((json(events) as { accepted: number }).accepted).toBe(1);
      expect((await call('POST', `/v1/accounts/${subjectId}/visitors`, { visitorId: consent.visitorId })).status).toBe(200);

      // A recipient with a webhook receives the subject's account data.
      const webhook = await call('POST', '/v1/webhooks', { recipient: 'cloud', url: recipient.url });
      expect(webhook.status, webhook.body.toString()).toBe(201);
      const { secret } = json(webhook) as { secret: string };
      const disclosed = await call('POST', '/v1/disclosures', { recipient: 'cloud', categories: ['account', 'communication'], purpose: 'provide-services', subjects: { ids: [subjectId] } });
      expect(disclosed.status, disclosed.body.toString()).toBe(201);

      // Before the erasure: a backup, and an access export that holds everything in the clear.
      expect((await cli('backup', backupFile)).code).toBe(0);
      const exported = await call('GET', `/v1/subjects/${subjectId}/export`);
      expect(exported.status).toBe(200);
      const exportText = Object.values(unzipSync(new Uint8Array(exported.body))).map((file) => Buffer.from(file).toString('utf8')).join('\n');
      for (const needle of [person.email, person.message, person.comment]) expect(exportText).toContain(needle);

      // The erasure, as a deletion request filed by staff who checked the requester's identity.
      const filed = await call('POST', '/v1/requests', { kind: 'deletion', subjectId, verified: true, verification: 'signed letter checked against the account' });
      expect(filed.status, filed.body.toString()).toBe(202);
      const completed = await call('POST', `/v1/requests/${(json(filed) as { id: string }).id}/complete`, {});
      expect(completed.status, completed.body.toString()).toBe(200);

      // One notice per erased subject the recipient holds data of: the account's, and its linked visitor's.
      const noticeOf = () => recipient.received.find((received) => (JSON.parse(received.body) as { subjectId: string }).subjectId === subjectId);
      await waitFor(() => noticeOf() !== undefined);
      const notice = noticeOf();
      expect(notice).toBeDefined();
      if (!notice) return;
      expect(signedBy(secret, notice)).toBe(true);
      expect(JSON.parse(notice.body)).toMatchObject({ event: 'erasure', subjectId, recipient: 'cloud' });

      // Nothing of the subject is left to read, and staff asking again find nothing.
      expect((await call('GET', `/v1/subjects/${subjectId}/export`)).status).toBe(404);
      expect((await call('GET', `/v1/subjects/${consent.subjectId}/export`)).status).toBe(404);
      const keys = await vow.store.db.selectFrom('subject_keys').select('subject_id').where('subject_id', 'in', [subjectId, consent.subjectId]).execute();
      expect(keys).toEqual([]);

      // Restoring the backup made before the erasure does not bring the subject back.
      await vow.close();
      expect((await cli('restore', backupFile)).code).toBe(0);
      const restored = await createVow(config, { logStream: logs });
      try {
        const subjects = await restored.store.db.selectFrom('subjects').select('id').where('id', 'in', [subjectId, consent.subjectId]).execute();
        expect(subjects).toEqual([]);
      } finally {
        await restored.close();
      }
    } finally {
      await recipient.close();
      await new Promise<void>((resolve) => logs.end(resolve));
    }

    const verified = await cli('audit', 'verify');
    expect(verified.code, verified.out).toBe(0);

    // The raw bytes: database files, a database dump, the backup, the server's logs.
    const places: [string, Buffer][] = [
      ['server log', readFileSync(logFile)],
      ['backup taken before the erasure', readFileSync(backupFile)],
    ];
    if (db.dialect === 'sqlite') {
      for (const suffix of ['', '-wal', '-shm']) {
        const file = join(db.dataDir, `${SQLITE_FILE}${suffix}`);
        if (existsSync(file)) places.push([`${SQLITE_FILE}${suffix}`, readFileSync(file)]);
      }
    } else {
      places.push(['pg_dump', execFileSync('pg_dump', ['--no-owner', db.url ?? ''], { maxBuffer: 256 * 1024 * 1024 })]);
    }
    // The scan is looking at real material: the logs are there, and the backup holds the subject's rows.
    expect(places.find(([name]) => name === 'server log')?.[1].length).toBeGreaterThan(1000);
    expect(places.find(([name]) => name === 'backup taken before the erasure')?.[1].includes(subjectId)).toBe(true);
    const hits = places.flatMap(([name, bytes]) => needles.filter((needle) => bytes.includes(needle)).map((needle) => `${name}: ${needle}`));
    expect(hits).toEqual([]);
  }, 60_000);
});
