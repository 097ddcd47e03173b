import { expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { subjectTables } from './subject-tables.js';

describeEachDatabase('the registry of subject tables', (database) => {
  it('names every table of the live schema that has a subject id column, what erasure does and what the export shows, and only real tables and columns', () =>
    withStore(database(), async ({ db }) => {
      const tables = await db.introspection.getTables();
      const registered = new Set(subjectTables.map((entry) => `${entry.table}.${entry.column}`));
      const subjectColumns = tables.flatMap((table) =>
        table.columns.filter((column) => column.name === 'subject_id' || column.name.endsWith('_subject_id')).map((column) => `${table.name}.${column.name}`),
      );
      // A table listed here is one erasure would silently miss: add it to src/erasure/subject-tables.ts.
      expect(subjectColumns.filter((column) => !registered.has(column))).toEqual([]);
      const live = new Set(tables.flatMap((table) => table.columns.map((column) => `${table.name}.${column.name}`)));
      expect([...registered].filter((column) => !live.has(column))).toEqual([]);
      for (const entry of subjectTables) {
        if (entry.categoryColumn) expect(live.has(`${entry.table}.${entry.categoryColumn}`)).toBe(true);
        expect(entry.why.length).toBeGreaterThan(10);
        // What the access export shows is decided table by table, column by column, never found by a naming rule.
        if ('part' in entry.exported) {
          for (const exported of Object.values(entry.exported.columns)) expect(live.has(`${entry.table}.${typeof exported === 'string' ? exported : exported.column}`), entry.table).toBe(true);
        }
        if ('hidden' in entry.exported) expect(entry.exported.hidden.length).toBeGreaterThan(10);
      }
    }));
});
