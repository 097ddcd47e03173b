/**
 * The backup file: JSON lines. A header (format, version, when, which migrations), then
 * one line per table (`{"table":…,"columns":[…]}`) followed by its rows as arrays
 * (`{"row":[…]}`), and a last line with the counts, so that a truncated file is refused.
 */
import { z } from 'zod';

export const BACKUP_FORMAT = 'vow-backup';
export const BACKUP_VERSION = 1;

export const Header = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  createdAt: z.string(),
  dialect: z.enum(['sqlite', 'postgres']),
  migrations: z.array(z.string()),
});
export type Header = z.infer<typeof Header>;

const Value = z.union([z.string(), z.number(), z.null()]);

export const Line = z.union([
  z.strictObject({ table: z.string().min(1), columns: z.array(z.string().min(1)) }),
  z.strictObject({ row: z.array(Value) }),
  z.strictObject({ end: z.literal(true), counts: z.record(z.string(), z.number()) }),
]);
export type Line = z.infer<typeof Line>;
