/** The scans of the live site `vow scan` recorded in the store, newest first, for the console's site screen. */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Database } from '../store/schema.js';
import type { Drift } from './find-site-drift.js';

export interface SiteScan {
  id: string;
  site: string;
  scannedAt: string;
  pages: number;
  failed: boolean;
  drift: Drift[];
  policyVersion: number | null;
}

export async function recordSiteScan(db: Kysely<Database>, scan: Omit<SiteScan, 'id'>, actor: string): Promise<SiteScan> {
  const id = `scn_${randomBytes(16).toString('base64url')}`;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('site_scans')
      .values({ id, site: scan.site, scanned_at: scan.scannedAt, pages: scan.pages, failed: scan.failed ? 1 : 0, drift: JSON.stringify(scan.drift), policy_version: scan.policyVersion })
      .execute();
    await appendAudit(trx, { actor, action: 'site.scanned', target: `scan:${id}`, data: { site: scan.site, findings: scan.drift.length, failed: scan.failed } });
  });
  return { id, ...scan };
}

export async function latestSiteScans(db: Kysely<Database>, limit: number): Promise<SiteScan[]> {
  const rows = await db.selectFrom('site_scans').selectAll().orderBy('scanned_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((row) => ({ id: row.id, site: row.site, scannedAt: row.scanned_at, pages: row.pages, failed: row.failed === 1, drift: JSON.parse(row.drift) as Drift[], policyVersion: row.policy_version }));
}
