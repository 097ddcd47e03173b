import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { runRetention } from '../retention/run-retention.js';
import type { Database } from '../store/schema.js';
import { openVault } from '../vault/open-vault.js';
import { placeHold } from './legal-holds.js';

const now = new Date('2026-06-15T12:00:00.000Z');
const old = '2025-01-01T00:00:00.000Z';

async function seed(db: Kysely<Database>, id: string): Promise<void> {
  await db.insertInto('subjects').values({ id, kind: 'account', region: null, created_at: old, last_activity_at: old, closed_at: null }).execute();
  await db.insertInto('subject_keys').values({ subject_id: id, wrapped: 'w', master_key_id: 'mk', created_at: old }).execute();
  for (const category of ['log-data', 'usage-data']) {
    await db.insertInto('vault_records').values({ id: `rec-${id}-${category}`, subject_id: id, category, source: 's', collected_at: old, updated_at: old, data: '{}' }).execute();
    await db
      .insertInto('events')
      .values({ id: `evt-${id}-${category}`, subject_id: id, category, name: 'page_view', occurred_at: old, received_at: old, country: null, data: 'sealed' })
      .execute();
  }
}

const left = async (db: Kysely<Database>) => ({
  records: (await db.selectFrom('vault_records').select('id').orderBy('id').execute()).map((row) => row.id),
  events: (await db.selectFrom('events').select('id').orderBy('id').execute()).map((row) => row.id),
  subjects: (await db.selectFrom('subjects').select('id').orderBy('id').execute()).map((row) => row.id),
});

describeEachDatabase('legal holds and retention', (database) => {
  it('retention spares the held categories of a held subject, and everything of a subject held whole', () =>
    withStore(database(), async (store) => {
      const { declaration } = await loadDeclaration(examplePolicy);
      const vault = await openVault({ db: store.db, dataDir: database().dataDir, masterKeys: undefined, declaration });
      for (const id of ['s-free', 's-log-held', 's-all-held']) await seed(store.db, id);
      await placeHold(vault, { subjectId: 's-log-held', reason: 'Tax audit', categories: ['log-data'], actor: 'key:officer', now });
      await placeHold(vault, { subjectId: 's-all-held', reason: 'Litigation', actor: 'key:officer', now });
      await runRetention(store.db, { declaration, now, actor: 'system' });
      expect(await left(store.db)).toEqual({
        records: ['rec-s-all-held-log-data', 'rec-s-all-held-usage-data', 'rec-s-log-held-log-data'],
        events: ['evt-s-all-held-log-data', 'evt-s-all-held-usage-data', 'evt-s-log-held-log-data'],
        subjects: ['s-all-held', 's-log-held'],
      });
    }));
});
