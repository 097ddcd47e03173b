/**
 * Writes of many callers sharing one commit: each unit stays atomic, each caller gets its
 * own answer, and one refused unit fails only itself.
 */
import { expect, it } from 'vitest';
import { appendAudit } from '../audit/append-audit.js';
import { verifyAudit } from '../audit/verify-audit.js';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { createGroupCommit } from './group-commit.js';

describeEachDatabase('group commit', (database) => {
  it('commits the units arriving together in one transaction, in order, each with its own answer, and the audit chain still verifies', () =>
    withStore(database(), async ({ db }) => {
      const commits = createGroupCommit(db);
      const before = (await db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n;
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => commits.run(async (trx) => (await appendAudit(trx, { actor: 'test', action: 'thing.done', target: `thing:${i}`, data: { i } })).seq)),
      );
      // In the order they were given: the chain's order is the callers'.
      expect(answers).toEqual([...answers].sort((a, b) => a - b));
      expect(new Set(answers).size).toBe(40);
      expect(Number((await db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n) - Number(before)).toBe(40);
      expect(await verifyAudit(db)).toMatchObject({ ok: true });
    }));

  it('fails only the unit that was refused: the others are written, each alone, when their shared transaction rolls back', () =>
    withStore(database(), async ({ db }) => {
      const commits = createGroupCommit(db);
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          commits.run(async (trx) => {
            await appendAudit(trx, { actor: 'test', action: 'thing.done', target: `unit:${i}`, data: { i } });
            if (i === 3) throw new Error('unit 3 refused');
            return i;
          }),
        ),
      );
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const targets = (await db.selectFrom('audit_log').select('target').where('target', 'like', 'unit:%').orderBy('seq').execute()).map((row) => row.target);
      // Unit 3's record rolled back with it; every other unit's is there once.
      expect(targets).toEqual(['unit:0', 'unit:1', 'unit:2', 'unit:4', 'unit:5']);
      expect(await verifyAudit(db)).toMatchObject({ ok: true });
    }));
});
