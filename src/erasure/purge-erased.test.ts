import { expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { openVault } from '../vault/open-vault.js';
import { createSubject } from '../vault/subject-store.js';
import { applyErasure, ERASED_KIND } from './apply-erasure.js';
import { purgeErasedSubjects } from './purge-erased.js';

describeEachDatabase("an erasure's purge of the events", (database) => {
  it('leaves, after the erasure transaction, no key and a tombstone without region; the purge then takes the events and the tombstone, a batch at a time', () =>
    withStore(database(), async (store) => {
      const { declaration } = await loadDeclaration(examplePolicy);
      const vault = await openVault({ db: store.db, dataDir: database().dataDir, masterKeys: undefined, declaration });
      const at = '2026-11-29T10:00:00.000Z';
      const [gone, stays] = await store.db.transaction().execute(async (trx) => [
        await createSubject(vault, trx, { kind: 'visitor', identifiers: [{ kind: 'visitor', value: 'vis_gone' }], now: at }),
        await createSubject(vault, trx, { kind: 'visitor', identifiers: [{ kind: 'visitor', value: 'vis_stays' }], now: at }),
      ]);
      await store.db.updateTable('subjects').set({ region: 'FR' }).execute();
      const events = [...Array.from({ length: 7 }, (_, i) => [gone.id, i] as const), [stays.id, 0] as const].map(([subject, i]) => ({
        id: `evt_${subject}_${i}`,
        subject_id: subject,
        category: 'usage-data',
        name: 'page_view',
        occurred_at: at,
        received_at: at,
        country: 'FR',
        data: 'sealed',
      }));
      await store.db.insertInto('events').values(events).execute();

      const counts = await store.db.transaction().execute((trx) => applyErasure(trx, gone.id, { all: false, categories: [] }));
      expect(counts).toMatchObject({ events: 7, subject_keys: 1, subjects: 1, subject_identifiers: 1 });
      expect(await store.db.selectFrom('subject_keys').select('subject_id').where('subject_id', '=', gone.id).execute()).toEqual([]);
      expect(await store.db.selectFrom('subjects').select(['kind', 'region']).where('id', '=', gone.id).execute()).toEqual([{ kind: ERASED_KIND, region: null }]);

      expect(await purgeErasedSubjects(store.db, { batch: 3 })).toEqual({ subjects: 1, events: 7 });
      expect(await store.db.selectFrom('subjects').select('id').orderBy('id').execute()).toEqual([{ id: stays.id }]);
      expect(await store.db.selectFrom('events').select('subject_id').execute()).toEqual([{ subject_id: stays.id }]);
      expect(await purgeErasedSubjects(store.db)).toEqual({ subjects: 0, events: 0 });
    }));
});
