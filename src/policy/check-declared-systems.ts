/**
 * Consistency of the declared systems, as far as the file alone can tell: every field
 * named is declared, ids and tables are unique, and every table's references lead, without
 * a cycle, to a table whose rows carry the subject's identity. Whether the tables and
 * columns exist is for `vow systems check`, which looks at the live schema.
 */
import type { Declaration } from './declaration.js';
import type { SystemTable } from './declared-system.js';
import type { Finding, PathSegment } from './check-declaration.js';

export function checkDeclaredSystems(declaration: Declaration): Finding[] {
  const systems = declaration.systems ?? [];
  const findings: Finding[] = [];
  const categories = new Map(declaration.categories.map((category) => [category.id, new Set(category.fields.map((field) => field.name))]));

  const requireField = (mapped: { category: string; field: string }, path: PathSegment[]) => {
    const fields = categories.get(mapped.category);
    if (!fields) findings.push({ path: [...path, 'category'], message: `undeclared category "${mapped.category}"` });
    else if (!fields.has(mapped.field)) findings.push({ path: [...path, 'field'], message: `category "${mapped.category}" declares no field "${mapped.field}"` });
  };

  const seenSystems = new Set<string>();
  systems.forEach((system, systemIndex) => {
    const at: PathSegment[] = ['systems', systemIndex];
    if (seenSystems.has(system.id)) findings.push({ path: [...at, 'id'], message: `duplicate system "${system.id}"` });
    seenSystems.add(system.id);
    if (system.engine === 'http' || system.engine === 'manual') {
      system.fields.forEach((held, index) => {
        requireField(held, [...at, 'fields', index]);
      });
      return;
    }
    const tables = new Map<string, SystemTable>();
    system.tables.forEach((table, tableIndex) => {
      const tableAt = [...at, 'tables', tableIndex];
      if (tables.has(table.name)) findings.push({ path: [...tableAt, 'name'], message: `table "${table.name}" is declared twice in system "${system.id}"` });
      tables.set(table.name, table);
      table.fields.forEach((mapped, index) => {
        requireField(mapped, [...tableAt, 'fields', index]);
      });
      if (table.erase !== 'delete') {
        const masked = new Set<string>();
        table.erase.mask.forEach((column, index) => {
          if (masked.has(column.column)) findings.push({ path: [...tableAt, 'erase', 'mask', index, 'column'], message: `column "${column.column}" is masked twice` });
          masked.add(column.column);
        });
      }
    });
    system.tables.forEach((table, tableIndex) => {
      const identity = table.identity;
      // Vow reads the value from the subject's records before erasing them: it must know which field holds it.
      if (identity?.type === 'external-id' && !table.fields.some((field) => field.column === identity.column)) {
        findings.push({
          path: [...at, 'tables', tableIndex, 'identity', 'column'],
          message: `an external-id identity needs its column "${identity.column}" among the table's fields, naming the declared field that holds the value`,
        });
      }
    });
    system.tables.forEach((table, tableIndex) => {
      if (!table.references) return;
      const path = [...at, 'tables', tableIndex, 'references', 'table'];
      const problem = unreachedIdentity(table, tables);
      if (problem) findings.push({ path, message: `table "${table.name}" ${problem}` });
    });
  });
  return findings;
}

/** Why following `table`'s references never reaches an identity, or undefined when it does. */
function unreachedIdentity(table: SystemTable, tables: ReadonlyMap<string, SystemTable>): string | undefined {
  const chain = [table.name];
  let current = table;
  while (current.references) {
    const target = tables.get(current.references.table);
    if (!target) {
      return current === table
        ? `references "${current.references.table}", which is not a table of this system`
        : `reaches "${current.name}", which references "${current.references.table}", not a table of this system`;
    }
    if (chain.includes(target.name)) return `references in a cycle (${[...chain, target.name].join(' → ')}): no row reaches an identity`;
    chain.push(target.name);
    current = target;
  }
  return undefined;
}
