/**
 * Files a data-subject request. The clock starts now, at receipt. A requester who
 * names an address gets a one-time code at that address, whether or not Vow knows it:
 * the answer, the work done and the mail sent are the same either way, so filing never
 * tells anyone whether an address is known. An opt-out takes effect at once, with no
 * identity check (CCPA). Staff with an admin or privacy-officer key may file for a known
 * subject and record how they checked the person's identity.
 */
import { linkVerifiedContact } from '../vault/link-contact.js';
import { contactOfAddress } from '../vault/subject-store.js';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { VowError } from '../errors.js';
import { enqueueMessage } from '../outbox/outbox.js';
import type { Database } from '../store/schema.js';
import { blindIndex } from '../vault/blind-index.js';
import { findSubjectByIdentifier } from '../vault/subject-store.js';
import { findSubject } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import { readContactAddress } from './contact-address.js';
import { chooseJurisdiction, deadlinesOf } from './deadlines.js';
import { sealRequestData } from './request-data.js';
import { loadRequestKeys } from './request-keys.js';
import { logRequestEvent } from './request-log.js';
import { aboutSubject, acknowledgementMessage, completionMessage } from './request-messages.js';
import type { RequestKind, RequestRow, RequestStatus } from './request.js';
import { countRequestsOfAddress, insertRequest } from './request.repository.js';
import { rememberAddressOptOut, setSaleOptOut } from './sale-opt-out.js';
import { issueCode } from './verify-request.js';

/** Requests one address may file per day. */
export const MAX_REQUESTS_PER_ADDRESS_PER_DAY = 5;

const Email = z.email().max(254);

export interface FileRequestOptions {
  kind: RequestKind;
  /** The requester's address: where the code and the answer go. */
  email?: string;
  details?: string;
  /** Corrected account fields, for a correction. */
  corrections?: Record<string, string>;
  /** `gdpr`, `ccpa`, or a region such as `FR` or `US-CA`. */
  jurisdiction?: string;
  /** Staff filing only (admin or privacy-officer): the subject, and how identity was checked. */
  staff?: { subjectId?: string; verified: boolean; verification?: string };
  actor: string;
  now?: Date;
}

/** What the requester is told: nothing that depends on whether the address is known. */
export interface FiledRequest {
  id: string;
  kind: RequestKind;
  status: RequestStatus;
  receivedAt: string;
}

export const newRequestId = (): string => `req_${randomBytes(16).toString('base64url')}`;

export async function fileRequest(ctx: VaultContext, options: FileRequestOptions): Promise<FiledRequest> {
  const now = options.now ?? new Date();
  const staff = options.staff;
  if (!staff && options.email === undefined) throw new VowError('bad_request', 'email is required', [{ path: 'email', message: 'is required' }]);
  // The HTTP schema checks this too; the CLI and other callers reach here unchecked.
  if (options.email !== undefined && !Email.safeParse(options.email).success) {
    throw new VowError('bad_request', 'email is not an e-mail address', [{ path: 'email', message: 'is not an e-mail address' }]);
  }
  if (staff?.verified && !staff.verification) {
    throw new VowError('bad_request', 'say how the identity was checked', [{ path: 'verification', message: 'is required when verified is true' }]);
  }
  const hasCorrections = options.corrections !== undefined && Object.keys(options.corrections).length > 0;
  // From the page's form a correction is described in words; staff turn it into fields when completing it.
  if (options.kind === 'correction' && !hasCorrections && !options.details) {
    throw new VowError('bad_request', 'say what to correct: corrected fields, or details', [{ path: 'corrections', message: 'is required for a correction (or details)' }]);
  }
  if (options.kind === 'question' && !options.details) throw new VowError('bad_request', 'a question needs its text', [{ path: 'details', message: 'is required for a question' }]);
  const keys = await loadRequestKeys(ctx.db, ctx.keyring);
  // Read outside the transaction (SQLite has one connection): the address of a subject staff names.
  const staffSubject = staff?.subjectId === undefined ? undefined : await findSubject(ctx.db, staff.subjectId);
  if (staff?.subjectId !== undefined && !staffSubject) throw new VowError('not_found', `no subject ${staff.subjectId}`);
  const email = options.email ?? (staffSubject ? await readContactAddress(ctx, staffSubject.id) : undefined);

  return ctx.db.transaction().execute(async (trx) => {
    const addressIndex = email === undefined ? null : blindIndex(ctx.blindKey, 'email', email);
    if (addressIndex !== null && !staff) {
      const since = new Date(now.getTime() - 24 * 60 * 60 * 1000).toISOString();
      if ((await countRequestsOfAddress(trx, addressIndex, since)) >= MAX_REQUESTS_PER_ADDRESS_PER_DAY) {
        throw new VowError('rate_limited', 'too many requests for this address today; try again tomorrow');
      }
    }
    // The address's account, or else the subject of messages sent from it; both looked up either way, so the work done does not tell.
    const account = email === undefined ? undefined : await findSubjectByIdentifier(ctx, trx, { kind: 'email', value: email });
    const contact = addressIndex === null ? undefined : await contactOfAddress(trx, addressIndex);
    const foundId = staffSubject?.id ?? account ?? contact;
    // The same lookups whether or not the address is known (an id that matches nothing otherwise): the work done does not tell.
    const subject = await findSubject(trx, foundId ?? 'sub_none');
    const subjectId = subject?.id;
    const jurisdiction = chooseJurisdiction(ctx.declaration, options.jurisdiction, subject?.region);
    const deadlines = deadlinesOf(jurisdiction, now);
    const id = newRequestId();
    const sealedWith = subject ? 'subject' : 'requests';
    const key = subject ? ctx.keyring.unwrap(subject.key, subject.id) : keys.sealing;
    const verifiedByStaff = staff?.verified === true;
    const optOut = options.kind === 'opt-out';
    const at = now.toISOString();
    const row: RequestRow = {
      id,
      kind: options.kind,
      status: optOut || verifiedByStaff ? 'open' : 'unverified',
      subject_id: subjectId ?? null,
      address_hash: addressIndex,
      sealed_with: sealedWith,
      data: sealRequestData(key, id, {
        ...(email !== undefined ? { email } : {}),
        ...(options.details !== undefined ? { details: options.details } : {}),
        ...(options.corrections ? { corrections: JSON.stringify(options.corrections) } : {}),
        ...(staff?.verification !== undefined ? { verification: staff.verification } : {}),
      }),
      jurisdiction,
      received_at: at,
      due_at: deadlines.due.toISOString(),
      extended_at: null,
      verified_at: verifiedByStaff ? at : null,
      verification: verifiedByStaff ? 'staff' : optOut ? 'none' : null,
      filed_by: options.actor,
      closed_at: null,
      outcome: null,
      reminded_at: null,
      claimed_at: null,
      completion: null,
    };
    await insertRequest(trx, row);
    await logRequestEvent(trx, { requestId: id, type: 'received', actor: options.actor, data: { kind: options.kind, jurisdiction, staff: staff !== undefined } }, now);
    if (verifiedByStaff) {
      await logRequestEvent(trx, { requestId: id, type: 'verified', actor: options.actor, data: { method: 'staff' } }, now);
      await linkVerifiedContact(trx, { subjectId: subjectId ?? null, addressIndex, actor: options.actor, now });
    }
    if (email !== undefined) {
      // Every request is acknowledged at once (CCPA allows 10 business days): in time under
      // every law, and the same mail whether or not the address is known and wherever it is.
      await enqueueMessage(ctx, trx, { ...acknowledgementMessage(ctx.declaration, { requestId: id, kind: options.kind, receivedAt: at, dueAt: row.due_at, jurisdiction }), to: email, ...aboutSubject(subjectId) }, now);
    }
    if (optOut) {
      await completeOptOut(ctx, trx, { row, email, actor: options.actor, now });
      return { id, kind: options.kind, status: 'completed', receivedAt: at };
    }
    if (!verifiedByStaff && email !== undefined) await issueCode(ctx, trx, keys, { requestId: id, kind: options.kind, email, now, ...aboutSubject(subjectId) });
    return { id, kind: options.kind, status: row.status as RequestStatus, receivedAt: at };
  });
}

/** The opt-out, in effect at once; an unknown address is told so in the same message, which only its owner reads. */
async function completeOptOut(ctx: VaultContext, trx: Kysely<Database>, options: { row: RequestRow; email: string | undefined; actor: string; now: Date }): Promise<void> {
  const { row, now } = options;
  if (row.subject_id !== null) {
    await setSaleOptOut(ctx, trx, { subjectId: row.subject_id, optedOut: true, reason: 'request', actor: options.actor, now });
  } else if (row.address_hash !== null) {
    // Honored before we know the person: an account opened later with this address starts opted out.
    await rememberAddressOptOut(trx, row.address_hash, now);
  }
  const outcome = row.subject_id === null ? 'no-data' : 'opted-out';
  await closeRequest(trx, row.id, 'completed', outcome, now);
  await logRequestEvent(trx, { requestId: row.id, type: 'completed', actor: options.actor, data: { outcome } }, now);
  if (options.email !== undefined) {
    const body =
      outcome === 'opted-out'
        ? ['We will not sell or share your personal information from now on.']
        : ['We hold no personal information associated with this address, so none of it is sold or shared.'];
    await enqueueMessage(ctx, trx, { ...completionMessage(ctx.declaration, { requestId: row.id, kind: 'opt-out', body }), to: options.email, ...aboutSubject(row.subject_id) }, now);
  }
}

async function closeRequest(trx: Kysely<Database>, id: string, status: RequestStatus, outcome: string, now: Date): Promise<void> {
  await trx.updateTable('requests').set({ status, outcome, closed_at: now.toISOString() }).where('id', '=', id).execute();
}

