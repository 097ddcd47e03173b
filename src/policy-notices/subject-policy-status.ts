/** Which policy versions a subject was told of and accepted, how and when (`GET /v1/subjects/:id/policy`). */
import { VowError } from '../errors.js';
import { listVersions } from '../policy/policy-version.repository.js';
import { findSubject } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import { findAcceptances, findNotices } from './policy-notice.repository.js';

export interface SubjectPolicyStatus {
  subjectId: string;
  currentVersion: number | null;
  acceptanceRule: 'explicit' | 'continued-use';
  versions: {
    version: number;
    material: boolean;
    publishedAt: string;
    notifiedAt: string | null;
    accepted: { method: 'explicit' | 'continued-use'; at: string; by: string; purposes: string[]; notCovered: string[] } | null;
  }[];
}

export async function subjectPolicyStatus(ctx: VaultContext, subjectId: string): Promise<SubjectPolicyStatus> {
  if (!(await findSubject(ctx.db, subjectId))) throw new VowError('not_found', `no subject ${subjectId}`);
  const [versions, notices, acceptances] = await Promise.all([listVersions(ctx.db), findNotices(ctx.db, subjectId), findAcceptances(ctx.db, subjectId)]);
  const noticeOf = new Map(notices.map((notice) => [notice.version, notice]));
  const acceptanceOf = new Map(acceptances.map((acceptance) => [acceptance.version, acceptance]));
  const allPurposes = ctx.declaration.purposes.map((purpose) => purpose.id);
  return {
    subjectId,
    currentVersion: versions[0]?.number ?? null,
    acceptanceRule: ctx.declaration.changes.acceptance,
    versions: versions
      .filter((version) => noticeOf.has(version.number) || acceptanceOf.has(version.number))
      .reverse()
      .map((version) => {
        const acceptance = acceptanceOf.get(version.number);
        return {
          version: version.number,
          material: version.material,
          publishedAt: version.publishedAt,
          notifiedAt: noticeOf.get(version.number)?.notifiedAt ?? null,
          accepted: acceptance
            ? {
                method: acceptance.method,
                at: acceptance.acceptedAt,
                by: acceptance.actor,
                purposes: acceptance.purposes,
                notCovered: allPurposes.filter((purpose) => !acceptance.purposes.includes(purpose)),
              }
            : null,
        };
      }),
  };
}
