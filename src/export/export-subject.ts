/**
 * The access export (GDPR article 15, CCPA right to know): everything Vow holds about a
 * subject, as a zip of JSON and CSV per part plus a human-readable summary. The subject
 * reads its own data, so no purpose limits the read; it is audited as a read for the
 * purpose `subject-access`.
 */
import { openDetails } from '../disclosures/disclosure-details.js';
import { isLegalGround, legalGroundWords } from '../disclosures/legal-grounds.js';
import { appendAudit } from '../audit/append-audit.js';
import { eventIdIn, openEvents } from '../collect/event-data.js';
import { VowError } from '../errors.js';
import { decryptFields } from '../vault/field-cipher.js';
import type { VaultContext } from '../vault/vault-context.js';
import { buildSummary } from './build-summary.js';
import { partToCsv, type ExportPart, type ExportRow } from './export-part.js';
import * as repo from './export.repository.js';
import { zipFiles } from './zip-files.js';
import { subjectTables, type ExportedColumn } from '../erasure/subject-tables.js';

export interface SubjectExport {
  zip: Uint8Array;
  /** Human-readable Markdown, also in the zip as summary.md. */
  summary: string;
  files: string[];
}

/** The registry's tables that are parts of their own, with the columns each shows. */
const registryParts = subjectTables.flatMap((entry) => ('part' in entry.exported ? [{ table: entry.table, column: entry.column, part: entry.exported.part, columns: entry.exported.columns }] : []));

/** A stored value as the export shows it: 0/1 as yes/no, JSON text as what it holds. */
function shown(value: unknown, as: ExportedColumn): unknown {
  if (typeof as === 'string' || value === null) return value;
  if (as.as === 'boolean') return value === 1 || value === true || value === '1';
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}

export async function exportSubject(
  ctx: VaultContext,
  /** `extraParts`: what the company's own systems hold (one part per table), gathered by their tasks. */
  options: { subjectId: string; actor: string; now?: Date; extraParts?: readonly ExportPart[] },
): Promise<SubjectExport> {
  const now = options.now ?? new Date();
  // The reads and their audit record in one transaction: the record exists exactly when the data was read.
  const raw = await ctx.db.transaction().execute(async (trx) => {
    const found = await repo.findSubjectsAndKeys(trx, options.subjectId);
    if (!found) return undefined;
    const ids = [options.subjectId, ...found.linked];
    const [records, events, consents, disclosures, notices, acceptances] = await Promise.all([
      repo.findRecordsOf(trx, ids),
      repo.findEventsOf(trx, ids),
      repo.findConsentsOf(trx, ids),
      repo.findDisclosuresOf(trx, ids),
      repo.findPolicyNoticesOf(trx, options.subjectId),
      repo.findPolicyAcceptancesOf(trx, options.subjectId),
    ]);
    const others = new Map<string, ExportRow[]>();
    for (const { table, column, part, columns } of registryParts) {
      const rows = await repo.findRowsOf(trx, table, column, ids, Object.values(columns).map((exported) => (typeof exported === 'string' ? exported : exported.column)));
      const mapped = rows.map((row) => Object.fromEntries(Object.entries(columns).map(([name, exported]) => [name, shown(row[typeof exported === 'string' ? exported : exported.column], exported)])));
      others.set(part, [...(others.get(part) ?? []), ...mapped]);
    }
    await appendAudit(
      trx,
      {
        actor: options.actor,
        action: 'subject.exported',
        target: `subject:${options.subjectId}`,
        data: {
          purpose: 'subject-access',
          records: records.length,
          events: events.reduce((sum, row) => sum + row.event_count, 0),
          consents: consents.length,
          disclosures: disclosures.length,
        },
      },
      now,
    );
    return { ...found, records, events, consents, disclosures, notices, acceptances, others };
  });
  if (!raw) throw new VowError('not_found', `no subject ${options.subjectId}`);

  const keys = new Map<string, Buffer>();
  const keyOf = (subjectId: string): Buffer => {
    let key = keys.get(subjectId);
    if (!key) {
      const wrapped = raw.keys.get(subjectId);
      if (!wrapped) throw new VowError('not_found', `no data key for subject ${subjectId}`);
      key = ctx.keyring.unwrap(wrapped, subjectId);
      keys.set(subjectId, key);
    }
    return key;
  };
  const own = (subjectId: string) => (subjectId === options.subjectId ? {} : { visitor: subjectId });

  const categoryKind = new Map(ctx.declaration.categories.map((category) => [category.id, category.kind]));
  const recordRows = new Map<string, ExportRow[]>([['account', []], ['communications', []], ['social', []], ['other-records', []]]);
  const held = new Map<string, number>();
  for (const record of raw.records) {
    const kind = categoryKind.get(record.category);
    const part = kind === 'account' ? 'account' : kind === 'communication' ? 'communications' : kind === 'social' ? 'social' : 'other-records';
    recordRows.get(part)?.push({
      id: record.id,
      ...own(record.subject_id),
      category: record.category,
      source: record.source,
      collectedAt: record.collected_at,
      updatedAt: record.updated_at,
      ...decryptFields(keyOf(record.subject_id), record.id, record.data),
    });
    held.set(record.category, (held.get(record.category) ?? 0) + 1);
  }

  // A row holds the events of one request that share their dimensions (collect/group-events.ts):
  // each is listed on its own, with the row's id, or the row's id and its place when it shares one.
  const listed: { at: string; id: string; row: ExportRow }[] = [];
  for (const row of raw.events) {
    held.set(row.category, (held.get(row.category) ?? 0) + row.event_count);
    const events = openEvents(keyOf(row.subject_id), row.id, row.data, row.occurred_at);
    for (const [index, event] of events.entries()) {
      const id = eventIdIn(row.id, index, events.length);
      const exported: ExportRow = { id, ...own(row.subject_id), category: row.category, name: event.name ?? row.name, occurredAt: event.occurredAt, receivedAt: row.received_at, country: row.country };
      // The event's own fields after: its occurredAt sets the same value again, in the same place.
      Object.assign(exported, event);
      listed.push({ at: event.occurredAt, id, row: exported });
    }
  }
  // Sorted here rather than in SQL: the subject_id index serves the read; 10,000 rows sort in a few milliseconds.
  const byTimeThenId = (a: { at: string; id: string }, b: { at: string; id: string }) =>
    a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  const eventRows = listed.sort(byTimeThenId).map(({ row }) => row);

  const consentRows: ExportRow[] = raw.consents.map((consent) => ({
    id: consent.id,
    ...own(consent.subject_id),
    policyVersion: consent.policy_version,
    granted: JSON.parse(consent.granted) as string[],
    refused: JSON.parse(consent.refused) as string[],
    source: consent.source,
    gpc: consent.gpc === 1,
    dnt: consent.dnt === 1,
    recordedAt: consent.recorded_at,
    bannerHash: consent.banner_hash,
    region: consent.region,
    consentModel: consent.consent_model,
    proof: consent.proof,
  }));
  const recipientNames = new Map(ctx.declaration.recipients.map((recipient) => [recipient.id, recipient.name]));
  // A legal request whose authority forbade telling the subject is shown once that period has ended.
  const told = raw.disclosures.filter((disclosure) => disclosure.silent_until === null || disclosure.silent_until <= now.toISOString());
  const disclosures = told.map((disclosure) => {
    const details = openDetails(disclosure.id, disclosure.details, disclosure.subject_id, disclosure.details_key, keyOf(disclosure.subject_id));
    return {
      id: disclosure.id,
      recipient: disclosure.recipient,
      recipientName: recipientNames.get(disclosure.recipient) ?? disclosure.recipient,
      purpose: disclosure.purpose,
      categories: JSON.parse(disclosure.categories) as string[],
      country: disclosure.country,
      kind: disclosure.kind,
      at: disclosure.created_at,
      ...(disclosure.legal_ground !== null && isLegalGround(disclosure.legal_ground) ? { legalGround: legalGroundWords[disclosure.legal_ground] } : {}),
      // What the disclosure recorded (for a legal request: who asked, under what process, for what), opened under the subject's key.
      ...(details !== null && Object.keys(details).length > 0 ? { details } : {}),
    };
  });
  const acceptances = raw.acceptances.map((acceptance) => ({
    version: acceptance.version,
    method: acceptance.method,
    acceptedAt: acceptance.accepted_at,
    purposes: JSON.parse(acceptance.purposes) as string[],
  }));
  const policyRows: ExportRow[] = [
    ...raw.notices.map((notice) => ({ version: notice.version, event: 'notified', at: notice.notified_at, method: null, purposes: null })),
    ...acceptances.map((acceptance) => ({ version: acceptance.version, event: 'accepted', at: acceptance.acceptedAt, method: acceptance.method, purposes: acceptance.purposes })),
  ];

  const subjectRow: ExportRow = {
    id: raw.subject.id,
    kind: raw.subject.kind,
    region: raw.subject.region,
    createdAt: raw.subject.createdAt,
    lastActivityAt: raw.subject.lastActivityAt,
    closedAt: raw.subject.closedAt,
    linkedVisitors: raw.linked,
  };
  const recordColumns = ['id', 'category', 'source', 'collectedAt', 'updatedAt'];
  const parts: ExportPart[] = [
    { name: 'subject', rows: [subjectRow], columns: [] },
    { name: 'account', rows: recordRows.get('account') ?? [], columns: recordColumns },
    { name: 'communications', rows: recordRows.get('communications') ?? [], columns: recordColumns },
    { name: 'social', rows: recordRows.get('social') ?? [], columns: recordColumns },
    { name: 'events', rows: eventRows, columns: ['id', 'category', 'name', 'occurredAt', 'receivedAt', 'country'] },
    { name: 'consents', rows: consentRows, columns: ['id', 'policyVersion', 'granted', 'refused', 'source', 'gpc', 'dnt', 'recordedAt', 'bannerHash', 'region', 'consentModel', 'proof'] },
    { name: 'disclosures', rows: disclosures, columns: ['id', 'recipient', 'recipientName', 'purpose', 'categories', 'country', 'kind', 'at'] },
    { name: 'policy', rows: policyRows, columns: ['version', 'event', 'at', 'method', 'purposes'] },
  ];
  const otherRecords = recordRows.get('other-records') ?? [];
  if (otherRecords.length > 0) parts.push({ name: 'other-records', rows: otherRecords, columns: recordColumns });
  for (const { part, columns } of registryParts) parts.push({ name: part, rows: raw.others.get(part) ?? [], columns: Object.keys(columns) });

  parts.push(...(options.extraParts ?? []));
  const files = [...parts.flatMap((part) => [`${part.name}.json`, `${part.name}.csv`]), 'summary.md'];
  const latestConsent = consentRows.at(-1);
  const summary = buildSummary(ctx.declaration, {
    subjectId: options.subjectId,
    generatedAt: now.toISOString(),
    firstSeen: raw.subject.createdAt,
    linkedVisitors: raw.linked.length - raw.linkedContacts,
    linkedContacts: raw.linkedContacts,
    held,
    consents: latestConsent && {
      recordedAt: String(latestConsent.recordedAt),
      granted: latestConsent.granted as string[],
      refused: latestConsent.refused as string[],
    },
    disclosures,
    transfers: (raw.others.get('transfers') ?? []).length,
    requests: (raw.others.get('requests') ?? []).length,
    policy: { notified: raw.notices.map((notice) => notice.version), accepted: acceptances },
    files,
  });

  const entries = parts.flatMap((part) => [
    { name: `${part.name}.json`, data: Buffer.from(JSON.stringify(part.rows, null, 2), 'utf8') },
    { name: `${part.name}.csv`, data: Buffer.from(partToCsv(part), 'utf8') },
  ]);
  entries.push({ name: 'summary.md', data: Buffer.from(summary, 'utf8') });
  return { zip: zipFiles(entries, now), summary, files };
}
