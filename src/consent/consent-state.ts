/** A visitor's current consent: its latest decision. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface ConsentState {
  /** Cookie-category ids the visitor agreed to. */
  granted: readonly string[];
  refused: readonly string[];
  gpc: boolean;
  dnt: boolean;
  policyVersion: number;
  recordedAt: string;
}

export async function latestConsent(db: Kysely<Database>, subjectId: string): Promise<ConsentState | undefined> {
  const row = await db
    .selectFrom('consent_records')
    .select(['granted', 'refused', 'gpc', 'dnt', 'policy_version', 'recorded_at'])
    .where('subject_id', '=', subjectId)
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return (
    row && {
      granted: JSON.parse(row.granted) as string[],
      refused: JSON.parse(row.refused) as string[],
      gpc: row.gpc === 1,
      dnt: row.dnt === 1,
      policyVersion: row.policy_version,
      recordedAt: row.recorded_at,
    }
  );
}
