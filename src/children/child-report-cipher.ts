/**
 * Reports about children are sealed under a named vault key, not a subject's key: the
 * reporter is not the subject, and the report must outlive the erasure it may cause.
 */
import { randomBytes } from 'node:crypto';
import { open, seal } from '../vault/aes-gcm.js';
import { loadOrCreateVaultKey } from '../vault/vault-keys.js';
import type { VaultContext } from '../vault/vault-context.js';

export const CHILD_REPORTS_KEY = 'child-reports';

export function childReportKey(ctx: VaultContext): Promise<Buffer> {
  return loadOrCreateVaultKey(ctx.db, ctx.keyring, CHILD_REPORTS_KEY, () => randomBytes(32));
}

export type ReportField = 'reporter' | 'child_email' | 'details' | 'decision_reason';

export function sealReportField(key: Buffer, reportId: string, field: ReportField, value: string | undefined): string | null {
  return value === undefined ? null : seal(key, Buffer.from(value, 'utf8'), `${reportId}\0${field}`);
}

export function openReportField(key: Buffer, reportId: string, field: ReportField, sealed: string | null): string | undefined {
  return sealed === null ? undefined : open(key, sealed, `${reportId}\0${field}`).toString('utf8');
}
