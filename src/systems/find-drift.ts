/**
 * Where a declared database and its live schema disagree. A declared table or column that
 * is missing is an error: requests would fail on it. A column or table that looks personal
 * and is not declared is a warning: requests would silently miss it.
 */
import type { Finding, PathSegment } from '../policy/check-declaration.js';
import type { SqlSystem, SystemTable } from '../policy/declared-system.js';
import { classifyColumn, type PersonalKind } from './classify-column.js';
import type { LiveSchema, LiveTable } from './introspect-schema.js';

export interface Drift {
  errors: Finding[];
  warnings: Finding[];
}

/** The columns a declared table names, with where each is named. */
function namedColumns(table: SystemTable, at: PathSegment[]): { column: string; path: PathSegment[] }[] {
  return [
    ...(table.identity ? [{ column: table.identity.column, path: [...at, 'identity', 'column'] }] : []),
    ...(table.references ? [{ column: table.references.column, path: [...at, 'references', 'column'] }] : []),
    ...table.fields.map((field, index) => ({ column: field.column, path: [...at, 'fields', index, 'column'] })),
    ...(table.erase === 'delete' ? [] : table.erase.mask.map((mask, index) => ({ column: mask.column, path: [...at, 'erase', 'mask', index, 'column'] }))),
  ];
}

/** Columns whose data a request reaches or follows; a masked-only column is not exported, so it does not count. */
function declaredColumns(table: SystemTable): Set<string> {
  return new Set([table.identity?.column, table.references?.column, ...table.fields.map((field) => field.column)].filter((column) => column !== undefined));
}

function personalColumns(table: LiveTable, except: ReadonlySet<string>): { column: string; kind: PersonalKind }[] {
  return table.columns.flatMap((column) => {
    if (except.has(column.name)) return [];
    const kind = classifyColumn({ table: table.name, name: column.name, dataType: column.dataType });
    return kind ? [{ column: column.name, kind }] : [];
  });
}

export function findDrift(system: SqlSystem, systemIndex: number, schema: LiveSchema): Drift {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const live = new Map(schema.tables.map((table) => [table.name, table]));
  const where = `in system "${system.id}"`;

  system.tables.forEach((table, tableIndex) => {
    const at: PathSegment[] = ['systems', systemIndex, 'tables', tableIndex];
    const liveTable = live.get(table.name);
    if (!liveTable) {
      errors.push({ path: [...at, 'name'], message: `table "${table.name}" does not exist ${where}` });
      return;
    }
    const columns = new Set(liveTable.columns.map((column) => column.name));
    for (const named of namedColumns(table, at)) {
      if (!columns.has(named.column)) errors.push({ path: named.path, message: `column "${table.name}.${named.column}" does not exist ${where}` });
    }
    const target = table.references ? live.get(table.references.table) : undefined;
    if (table.references && target && !target.columns.some((column) => column.name === table.references?.key)) {
      errors.push({ path: [...at, 'references', 'key'], message: `column "${table.references.table}.${table.references.key}" does not exist ${where}` });
    }
    for (const { column, kind } of personalColumns(liveTable, declaredColumns(table))) {
      warnings.push({ path: at, message: `column "${table.name}.${column}" looks personal (${kind}) but is not declared: add it to fields, or requests will miss it` });
    }
  });

  const declared = new Set(system.tables.map((table) => table.name));
  for (const table of schema.tables) {
    if (declared.has(table.name)) continue;
    const personal = personalColumns(table, new Set());
    const linked = table.foreignKeys.filter((key) => declared.has(key.table));
    if (personal.length === 0 && linked.length === 0) continue;
    const reasons = [
      ...(personal.length > 0 ? [`columns that look personal (${personal.map(({ column, kind }) => `${column}: ${kind}`).join(', ')})`] : []),
      ...linked.map((key) => `a reference to declared table "${key.table}" (${key.column})`),
    ];
    warnings.push({ path: ['systems', systemIndex, 'tables'], message: `table "${table.name}" is not declared ${where}, yet it has ${reasons.join(' and ')}` });
  }
  return { errors, warnings };
}
