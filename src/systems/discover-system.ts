/**
 * `vow systems discover`: reads a database's schema and a bounded sample of its values, and
 * proposes how the declaration could describe it: which tables identify a subject, how the
 * others reach those through foreign keys, and which declared field each personal-looking
 * column holds. Sampled values are only shown to the classifier and dropped; the proposal
 * carries names and kinds, never a value.
 */
import { sql } from 'kysely';
import type { Declaration } from '../policy/declaration.js';
import type { IdentityType, Reference } from '../policy/declared-system.js';
import { classifyColumn, type PersonalKind } from './classify-column.js';
import type { SystemDatabase } from './connect-system.js';
import { introspectSchema, type LiveTable } from './introspect-schema.js';
import { mapToDeclaredFields, type MappedKind } from './map-to-declared-fields.js';

export interface DiscoverOptions {
  database: SystemDatabase;
  declaration: Declaration;
  /** Values read per table to recognise columns by their shape; 0 reads none. */
  sample: number;
}

export interface ProposedTable {
  name: string;
  identity?: { column: string; type: IdentityType };
  references?: Reference;
  /** Another way the subject could be found in this table, left for a person to choose. */
  alternativeIdentity?: { column: string; type: IdentityType };
  columns: MappedKind[];
}

export interface Discovery {
  tablesRead: number;
  tables: ProposedTable[];
  /** Tables whose columns look personal, yet which neither identify a subject nor reach a table that does. */
  unreached: { name: string; columns: { column: string; kind: PersonalKind }[] }[];
}

const identityOrder: readonly (readonly [PersonalKind, IdentityType])[] = [
  ['email', 'email'],
  ['phone', 'phone'],
  ['user-id', 'external-id'],
];

export async function discoverSystem(options: DiscoverOptions): Promise<Discovery> {
  const schema = await introspectSchema(options.database);
  const classified = new Map<string, { column: string; kind: PersonalKind }[]>();
  for (const table of schema.tables) classified.set(table.name, await classifyTable(options, table));

  const identityOf = (table: LiveTable) => {
    const kinds = classified.get(table.name) ?? [];
    for (const [kind, type] of identityOrder) {
      const column = kinds.find((entry) => entry.kind === kind);
      // A user id that is a foreign key is a link to follow, not an identity of its own.
      if (column && !(kind === 'user-id' && table.foreignKeys.some((key) => key.column === column.column))) return { column: column.column, type };
    }
    return undefined;
  };
  const byName = new Map(schema.tables.map((table) => [table.name, table]));
  const identities = new Map(schema.tables.flatMap((table) => {
    const identity = identityOf(table);
    return identity ? [[table.name, identity] as const] : [];
  }));
  const linksToOtherIdentity = (table: LiveTable) => table.foreignKeys.filter((key) => key.table !== table.name && identities.has(key.table));
  // Roots identify subjects themselves; a table with an identity that also points at a root
  // (a ticket's user) is proposed as reaching it, with its own identity noted as the alternative.
  const roots = new Set([...identities.keys()].filter((name) => {
    const table = byName.get(name);
    return table !== undefined && linksToOtherIdentity(table).length === 0;
  }));

  const distance = new Map<string, number>([...roots].map((name) => [name, 0]));
  const references = new Map<string, Reference>();
  for (const name of identities.keys()) {
    if (roots.has(name)) continue;
    const toRoot = byName.get(name)?.foreignKeys.find((key) => roots.has(key.table));
    if (toRoot) {
      references.set(name, toRoot);
      distance.set(name, 1);
    } else {
      // Identity tables pointing at each other only: each stands on its own identity.
      roots.add(name);
      distance.set(name, 0);
    }
  }
  // The rest reach a subject through the shortest chain of foreign keys, if any.
  for (let changed = true; changed; ) {
    changed = false;
    for (const table of schema.tables) {
      if (distance.has(table.name)) continue;
      const best = table.foreignKeys
        .filter((key) => distance.has(key.table))
        .sort((a, b) => (distance.get(a.table) ?? 0) - (distance.get(b.table) ?? 0))[0];
      if (!best) continue;
      references.set(table.name, best);
      distance.set(table.name, (distance.get(best.table) ?? 0) + 1);
      changed = true;
    }
  }

  const tables: ProposedTable[] = [];
  const unreached: Discovery['unreached'] = [];
  for (const table of schema.tables) {
    const kinds = classified.get(table.name) ?? [];
    const reference = references.get(table.name);
    const identity = identities.get(table.name);
    if (!distance.has(table.name)) {
      if (kinds.length > 0) unreached.push({ name: table.name, columns: kinds });
      continue;
    }
    const linkColumns = new Set([reference?.column].filter((column) => column !== undefined));
    const columns = mapToDeclaredFields(options.declaration, kinds.filter((entry) => !linkColumns.has(entry.column)));
    tables.push({
      name: table.name,
      ...(reference ? { references: reference } : identity ? { identity } : {}),
      ...(reference && identity ? { alternativeIdentity: identity } : {}),
      columns,
    });
  }
  // Identities first, then each table after the one it references, as a person would read them.
  tables.sort((a, b) => (distance.get(a.name) ?? 0) - (distance.get(b.name) ?? 0));
  return { tablesRead: schema.tables.length, tables, unreached };
}

const textual = /char|text|string|clob|citext/;

async function classifyTable(options: DiscoverOptions, table: LiveTable): Promise<{ column: string; kind: PersonalKind }[]> {
  const sampled = options.sample > 0 ? table.columns.filter((column) => textual.test(column.dataType)).map((column) => column.name) : [];
  const samples = new Map<string, string[]>(sampled.map((name) => [name, []]));
  if (sampled.length > 0) {
    const rows = await options.database.db
      .selectFrom(table.name)
      .select(sampled.map((name) => sql.ref(name).as(name)))
      .limit(options.sample)
      .execute();
    for (const row of rows) {
      for (const name of sampled) {
        const value: unknown = row[name];
        if (typeof value === 'string') samples.get(name)?.push(value);
      }
    }
  }
  return table.columns.flatMap((column) => {
    const sample = samples.get(column.name);
    const kind = classifyColumn({ table: table.name, name: column.name, dataType: column.dataType, ...(sample ? { sample } : {}) });
    return kind ? [{ column: column.name, kind }] : [];
  });
}
