/**
 * A discovery as YAML a person can paste under `systems:` once reviewed, with `# TODO`
 * comments where the schema could not say what the declaration needs.
 */
import { Document, isMap, isSeq, type YAMLMap } from 'yaml';
import type { SqlEngine } from '../policy/declared-system.js';
import type { Discovery, ProposedTable } from './discover-system.js';

export interface ProposalHeader {
  id: string;
  engine: SqlEngine;
  connection: string;
}

function tableEntry(table: ProposedTable): Record<string, unknown> {
  const fields = table.columns.flatMap((column) => (column.field ? [{ column: column.column, category: column.field.category, field: column.field.field }] : []));
  return {
    name: table.name,
    ...(table.identity ? { identity: table.identity } : {}),
    ...(table.references ? { references: table.references } : {}),
    ...(fields.length > 0 ? { fields } : {}),
    erase: 'delete',
  };
}

function todosOf(table: ProposedTable): string[] {
  const unmapped = table.columns.filter((column) => !column.field && column.kind !== 'user-id');
  const links = table.columns.filter((column) => column.kind === 'user-id');
  return [
    ...unmapped.map((column) => ` TODO: ${column.column} looks like ${column.kind}, and no declared category has a field for it: declare one, then list it here`),
    ...links.map((column) => ` TODO: ${column.column} looks like the id of a person, yet no foreign key says whose: a reference to add?`),
    ...(table.alternativeIdentity
      ? [` ${table.alternativeIdentity.column} could identify the subject too (identity: { column: ${table.alternativeIdentity.column}, type: ${table.alternativeIdentity.type} }), for rows whose ${table.references?.column ?? 'reference'} is empty`]
      : []),
  ];
}

export function renderProposal(header: ProposalHeader, discovery: Discovery): string {
  const entry = { id: header.id, engine: header.engine, connection: header.connection, tables: discovery.tables.map(tableEntry) };
  const document = new Document([entry]);
  document.commentBefore = [
    ` Proposed by vow systems discover from a ${header.engine} database: ${discovery.tablesRead} tables read, ${discovery.tables.length} reach a subject.`,
    ' Review it before adding it under systems: in the declaration. Values were sampled to recognise columns; none is printed.',
    ` TODO: set ${header.connection} to the database URL where Vow runs; the URL never belongs in the declaration.`,
    ' TODO: erase is delete everywhere: mask instead what must be kept (orders for the tax authorities, say).',
  ].join('\n');
  const tables = document.getIn([0, 'tables']);
  if (isSeq(tables)) {
    tables.items.forEach((node, index) => {
      const table = discovery.tables[index];
      if (!isMap(node) || !table) return;
      const todos = todosOf(table);
      if (todos.length > 0) node.commentBefore = todos.join('\n');
      flowChildren(node);
    });
  }
  if (discovery.unreached.length > 0) {
    document.comment = discovery.unreached
      .map(({ name, columns }) => ` TODO: table ${name} has columns that look personal (${columns.map(({ column, kind }) => `${column}: ${kind}`).join(', ')}), but nothing to find a subject by and no foreign key to a table that has: declare it by hand?`)
      .join('\n');
  }
  return document.toString({ lineWidth: 0 });
}

/** `{ column, type }` on one line, as the declaration's examples write them. */
function flowChildren(table: YAMLMap): void {
  for (const key of ['identity', 'references']) {
    const child = table.get(key, true);
    if (isMap(child)) child.flow = true;
  }
  const fields = table.get('fields', true);
  if (isSeq(fields)) {
    for (const field of fields.items) if (isMap(field)) field.flow = true;
  }
}
