import type { Kysely } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { verifyAudit } from '../audit/verify-audit.js';
import type { Declaration } from '../policy/declaration.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import type { Database } from '../store/schema.js';
import { retentionJob, summarizeRetention } from './retention-job.js';
import { runRetention } from './run-retention.js';

const now = new Date('2026-06-15T12:00:00.000Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

let declaration: Declaration;
beforeAll(async () => {
  ({ declaration } = await loadDeclaration(examplePolicy));
});

interface SubjectSeed {
  id: string;
  createdAt?: string;
  lastActivityAt?: string;
  closedAt?: string | null;
}

async function addSubject(db: Kysely<Database>, seed: SubjectSeed): Promise<void> {
  const createdAt = seed.createdAt ?? '2020-01-01T00:00:00.000Z';
  await db
    .insertInto('subjects')
    .values({ id: seed.id, kind: 'account', region: null, created_at: createdAt, last_activity_at: seed.lastActivityAt ?? createdAt, closed_at: seed.closedAt ?? null })
    .execute();
  await db.insertInto('subject_keys').values({ subject_id: seed.id, wrapped: 'wrapped-key', master_key_id: 'mk', created_at: createdAt }).execute();
  await db.insertInto('subject_identifiers').values({ kind: 'email', blind_index: `bi-${seed.id}`, subject_id: seed.id }).execute();
}

async function addRecord(db: Kysely<Database>, id: string, subjectId: string, category: string, collectedAt: string): Promise<void> {
  await db
    .insertInto('vault_records')
    .values({ id, subject_id: subjectId, category, source: 'subject', collected_at: collectedAt, updated_at: collectedAt, data: '{}' })
    .execute();
}

async function addAggregate(db: Kysely<Database>, id: string, importedAt: string): Promise<void> {
  await db.insertInto('social_aggregates').values({ id, platform: 'instagram', metric: 'followers', period: id, value: 1, imported_at: importedAt }).execute();
}

const ids = async (db: Kysely<Database>, table: 'vault_records' | 'subjects' | 'social_aggregates') =>
  (await db.selectFrom(table).select('id').orderBy('id').execute()).map((row) => row.id);
const subjectIdsIn = async (db: Kysely<Database>, table: 'subject_keys' | 'subject_identifiers') =>
  (await db.selectFrom(table).select('subject_id').orderBy('subject_id').execute()).map((row) => row.subject_id);

describeEachDatabase('retention', (database) => {
  it('deletes exactly the data past each category’s retention, then the subjects left empty', () =>
    withStore(database(), async ({ db }) => {
      // account: P1Y from account-closure (cutoff 2025-06-15T12:00Z).
      await addSubject(db, { id: 's-closed-long-ago', closedAt: '2025-06-01T00:00:00.000Z', lastActivityAt: '2025-06-01T00:00:00.000Z' });
      await addRecord(db, 'r-closed-account', 's-closed-long-ago', 'account', '2020-01-01T00:00:00.000Z');
      await addSubject(db, { id: 's-closed-lately', closedAt: '2025-07-01T00:00:00.000Z', lastActivityAt: '2025-07-01T00:00:00.000Z' });
      await addRecord(db, 'r-lately-account', 's-closed-lately', 'account', '2020-01-01T00:00:00.000Z');

      // An open, active account: only what is collection-dated and old goes.
      await addSubject(db, { id: 's-active', lastActivityAt: daysAgo(1) });
      await addRecord(db, 'r-active-account', 's-active', 'account', '2015-01-01T00:00:00.000Z');
      await addRecord(db, 'r-active-communication', 's-active', 'communication', '2019-01-01T00:00:00.000Z');
      await addRecord(db, 'r-active-device', 's-active', 'device-information', '2019-01-01T00:00:00.000Z');
      await addRecord(db, 'r-log-old', 's-active', 'log-data', daysAgo(91)); // P90D from collection
      await addRecord(db, 'r-log-at-cutoff', 's-active', 'log-data', daysAgo(90)); // exactly at the cutoff: kept
      await addRecord(db, 'r-log-new', 's-active', 'log-data', daysAgo(89));
      await addRecord(db, 'r-usage-old', 's-active', 'usage-data', '2025-05-14T00:00:00.000Z'); // P13M: cutoff 2025-05-15T12:00Z
      await addRecord(db, 'r-usage-new', 's-active', 'usage-data', '2025-05-16T00:00:00.000Z');
      await addRecord(db, 'r-cookies-new', 's-active', 'cookies', '2024-07-01T00:00:00.000Z'); // P2Y

      // Inactive since before every last-activity cutoff: everything goes, then the subject.
      await addSubject(db, { id: 's-gone-quiet', lastActivityAt: '2024-06-01T00:00:00.000Z' });
      await addRecord(db, 'r-quiet-communication', 's-gone-quiet', 'communication', '2024-01-01T00:00:00.000Z'); // P2Y
      await addRecord(db, 'r-quiet-social', 's-gone-quiet', 'social', '2024-01-01T00:00:00.000Z'); // P1Y
      await addRecord(db, 'r-quiet-device', 's-gone-quiet', 'device-information', '2024-01-01T00:00:00.000Z'); // P13M

      // Inactive since 2025-01-01: past P1Y and P13M, within P2Y.
      await addSubject(db, { id: 's-half-quiet', lastActivityAt: '2025-01-01T00:00:00.000Z' });
      await addRecord(db, 'r-half-communication', 's-half-quiet', 'communication', '2024-12-01T00:00:00.000Z');
      await addRecord(db, 'r-half-social', 's-half-quiet', 'social', '2024-12-01T00:00:00.000Z');
      await addRecord(db, 'r-half-device', 's-half-quiet', 'device-information', '2024-12-01T00:00:00.000Z');

      // Subjects with no records: kept for a day after creation, then erased.
      await addSubject(db, { id: 's-empty-new', createdAt: new Date(now.getTime() - 3_600_000).toISOString() });
      await addSubject(db, { id: 's-empty-old', createdAt: daysAgo(2) });

      // social-analytics: non-personal, P3Y from collection (import); cutoff 2023-06-15T12:00Z.
      await addAggregate(db, 'a-old', '2023-06-14T00:00:00.000Z');
      await addAggregate(db, 'a-new', '2023-06-16T00:00:00.000Z');

      const result = await runRetention(db, { declaration, now, actor: 'system' });

      expect(result).toEqual({
        categories: {
          account: 1,
          communication: 1,
          social: 2,
          'social-analytics': 1,
          'log-data': 1,
          'usage-data': 1,
          'device-information': 2,
          cookies: 0,
          analytics: 0,
        },
        subjectsErased: 3,
      });
      expect(await ids(db, 'vault_records')).toEqual(
        [
          'r-active-account',
          'r-active-communication',
          'r-active-device',
          'r-cookies-new',
          'r-half-communication',
          'r-lately-account',
          'r-log-at-cutoff',
          'r-log-new',
          'r-usage-new',
        ].sort(),
      );
      expect(await ids(db, 'social_aggregates')).toEqual(['a-new']);
      const kept = ['s-active', 's-closed-lately', 's-empty-new', 's-half-quiet'];
      expect(await ids(db, 'subjects')).toEqual(kept);
      expect(await subjectIdsIn(db, 'subject_keys')).toEqual(kept);
      expect(await subjectIdsIn(db, 'subject_identifiers')).toEqual(kept);

      const audit = await db.selectFrom('audit_log').selectAll().execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ action: 'retention.ran', target: 'job:retention', actor: 'system', at: now.toISOString() });
      expect(JSON.parse(audit[0]?.data ?? '')).toEqual({ ...result.categories, subjectsErased: 3 });
      expect(audit[0]?.data).not.toMatch(/s-|r-|bi-/);
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 1 });

      // Running again finds nothing more to do, and is audited again.
      const again = await runRetention(db, { declaration, now, actor: 'cli' });
      expect(Object.values(again.categories).every((count) => count === 0)).toBe(true);
      expect(again.subjectsErased).toBe(0);
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 2 });
    }));

  it('purges events past their category’s retention, and keeps visitors that still hold consent or events', () =>
    withStore(database(), async ({ db }) => {
      // usage-data: P13M from collection (cutoff 2025-05-15T12:00Z); device-information: P13M from last activity.
      await addSubject(db, { id: 's-visitor', lastActivityAt: daysAgo(10) });
      await addSubject(db, { id: 's-consent-only' });
      await addSubject(db, { id: 's-old-visitor', lastActivityAt: '2024-01-01T00:00:00.000Z' });
      const event = (id: string, subjectId: string, category: string, occurredAt: string, eventCount = 1) =>
        db
          .insertInto('events')
          .values({ id, subject_id: subjectId, category, name: 'page_view', occurred_at: occurredAt, received_at: occurredAt, country: null, data: '{}', event_count: eventCount })
          .execute();
      // A row of three page views of one request: three events deleted.
      await event('e-old-usage', 's-visitor', 'usage-data', '2025-01-01T00:00:00.000Z', 3);
      await event('e-new-usage', 's-visitor', 'usage-data', daysAgo(3));
      await event('e-device-active', 's-visitor', 'device-information', '2024-01-01T00:00:00.000Z');
      await event('e-device-gone', 's-old-visitor', 'device-information', '2024-01-01T00:00:00.000Z');
      await db
        .insertInto('consent_records')
        .values({ id: 'c-1', subject_id: 's-consent-only', policy_version: 1, granted: '[]', refused: '[]', source: 'banner', gpc: 0, dnt: 0, recorded_at: daysAgo(30), banner_hash: 'h', proof: 'p' })
        .execute();

      const result = await runRetention(db, { declaration, now, actor: 'test' });
      expect(result.categories['usage-data']).toBe(3);
      expect(result.categories['device-information']).toBe(1);
      const events = (await db.selectFrom('events').select('id').orderBy('id').execute()).map((row) => row.id);
      expect(events).toEqual(['e-device-active', 'e-new-usage']);
      // The old visitor had nothing left; the one holding only a consent record keeps it as proof.
      expect(await ids(db, 'subjects')).toEqual(['s-consent-only', 's-visitor']);
    }));

  it('works through a large purge in bounded batches', () =>
    withStore(database(), async ({ db }) => {
      for (let index = 0; index < 30; index += 1) {
        const subject = `s-${String(index).padStart(2, '0')}`;
        await addSubject(db, { id: subject, lastActivityAt: daysAgo(1) });
        await addRecord(db, `r-old-${subject}`, subject, 'log-data', daysAgo(200));
        await addRecord(db, `r-new-${subject}`, subject, 'log-data', daysAgo(10));
        if (index % 2 === 0) await addRecord(db, `r-only-${subject}`, subject, 'analytics', daysAgo(1000));
      }
      for (let index = 0; index < 12; index += 1) await addAggregate(db, `a-${index}`, '2020-01-01T00:00:00.000Z');
      await addSubject(db, { id: 's-lonely', lastActivityAt: daysAgo(1000) });
      await addRecord(db, 'r-lonely', 's-lonely', 'analytics', daysAgo(1000));
      for (let index = 0; index < 9; index += 1) await addSubject(db, { id: `s-empty-${index}`, createdAt: daysAgo(5) });

      const result = await runRetention(db, { declaration, now, actor: 'system', batchSize: 7 });

      expect(result.categories).toMatchObject({ 'log-data': 30, analytics: 16, 'social-analytics': 12 });
      expect(result.subjectsErased).toBe(10);
      expect(await db.selectFrom('vault_records').select('id').where('id', 'like', 'r-new-%').execute()).toHaveLength(30);
      expect(await db.selectFrom('vault_records').select('id').execute()).toHaveLength(30);
      expect(await db.selectFrom('subjects').select('id').execute()).toHaveLength(30);
      expect(await db.selectFrom('subject_keys').select('subject_id').execute()).toHaveLength(30);
    }));

  it('runs as a scheduled job that reports its counts in one line', () =>
    withStore(database(), async ({ db }) => {
      await addSubject(db, { id: 's-1', lastActivityAt: daysAgo(1) });
      await addRecord(db, 'r-1', 's-1', 'log-data', daysAgo(100));
      const job = retentionJob({ db, policy: { declaration } });
      expect(job).toMatchObject({ name: 'retention', interval: 86_400_000 });
      const summary = await job.run(now);
      expect(summary).toContain('log-data=1');
      expect(summary).toMatch(/; subjects erased=1$/);
      expect(summarizeRetention({ categories: { a: 2, b: 0 }, subjectsErased: 4 })).toBe('a=2 b=0; subjects erased=4');
      expect(await db.selectFrom('audit_log').select('actor').execute()).toEqual([{ actor: 'system' }]);
    }));
});
