/** Data-subject requests: their kinds, states and how staff see them. */
import type { Selectable } from 'kysely';
import type { RequestTable } from '../store/schema.js';
import type { Jurisdiction } from './deadlines.js';

export const requestKinds = ['access', 'correction', 'deletion', 'opt-out', 'question'] as const;
export type RequestKind = (typeof requestKinds)[number];

/**
 * unverified → open → completing → completed, or → denied; unverified → expired when
 * the code runs out. `completing` is a claimed completion: carried out and closed in one
 * transaction, resumed by any process if the one that claimed it died. `waiting`: Vow's
 * own share is done and the declared systems' tasks run; the last one done completes it.
 */
export const requestStatuses = ['unverified', 'open', 'completing', 'waiting', 'completed', 'denied', 'expired'] as const;
export type RequestStatus = (typeof requestStatuses)[number];

/** Not yet answered: they count against their deadline. */
export const pendingStatuses: readonly RequestStatus[] = ['unverified', 'open', 'completing', 'waiting'];

export const requestOutcomes = ['exported', 'corrected', 'erased', 'held', 'answered', 'opted-out', 'no-data', 'denied', 'expired'] as const;
export type RequestOutcome = (typeof requestOutcomes)[number];

export type RequestRow = Selectable<RequestTable>;

export const requestIdPattern = /^req_[A-Za-z0-9_-]{22}$/;

export interface DataSubjectRequest {
  id: string;
  kind: RequestKind;
  status: RequestStatus;
  subjectId: string | null;
  jurisdiction: Jurisdiction;
  receivedAt: string;
  dueAt: string;
  extendedAt: string | null;
  verifiedAt: string | null;
  verification: string | null;
  filedBy: string;
  closedAt: string | null;
  outcome: RequestOutcome | null;
}

export function requestOf(row: RequestRow): DataSubjectRequest {
  return {
    id: row.id,
    kind: row.kind as RequestKind,
    status: row.status as RequestStatus,
    subjectId: row.subject_id,
    jurisdiction: row.jurisdiction as Jurisdiction,
    receivedAt: row.received_at,
    dueAt: row.due_at,
    extendedAt: row.extended_at,
    verifiedAt: row.verified_at,
    verification: row.verification,
    filedBy: row.filed_by,
    closedAt: row.closed_at,
    outcome: row.outcome as RequestOutcome | null,
  };
}

/** What a request holds that is personal, sealed together (`requests.data`). */
export interface RequestData {
  email?: string;
  details?: string;
  /** JSON object of corrected account fields. */
  corrections?: string;
  /** How staff checked the requester's identity. */
  verification?: string;
}

export const isClosed = (status: string): boolean => status === 'completed' || status === 'denied' || status === 'expired';
