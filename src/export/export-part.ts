/** One part of an access export, written as JSON (as held) and as CSV (one row per item, nested fields flattened). */
import { stringify } from 'csv-stringify/sync';

export type ExportRow = Record<string, unknown>;

export interface ExportPart {
  /** The file name without extension: `account`, `events` … */
  name: string;
  rows: ExportRow[];
  /** Columns shown even when no row has them, so an empty part still has its header. */
  columns: readonly string[];
}

/** `{ device: { browser: 'Firefox' } }` → `{ 'device.browser': 'Firefox' }`; lists of plain values joined with `; `. */
export function flattenRow(row: ExportRow, prefix = '', into: Record<string, string> = {}): Record<string, string> {
  for (const [key, value] of Object.entries(row)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (value === null || value === undefined) into[name] = '';
    else if (Array.isArray(value)) into[name] = value.every((item) => typeof item !== 'object' || item === null) ? value.map(String).join('; ') : JSON.stringify(value);
    else if (typeof value === 'object') flattenRow(value as ExportRow, name, into);
    else if (typeof value === 'string') into[name] = value;
    else into[name] = JSON.stringify(value);
  }
  return into;
}

export function partToCsv(part: ExportPart): string {
  const flat = part.rows.map((row) => flattenRow(row));
  const columns = [...part.columns];
  const known = new Set(columns);
  for (const row of flat) {
    for (const column of Object.keys(row)) {
      if (!known.has(column)) {
        known.add(column);
        columns.push(column);
      }
    }
  }
  if (columns.length === 0) return '';
  // Rows as arrays in column order: csv-stringify then only quotes, and dotted names are not read as paths.
  return stringify([columns, ...flat.map((row) => columns.map((column) => guardFormula(row[column] ?? '')))]);
}

/** Cells that a spreadsheet would run as formulas (`=`, `+`, `-`, `@`) are prefixed with a quote. */
function guardFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
}
