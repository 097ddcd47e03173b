/**
 * Vow's migrations, in order. Written once through the schema builder with portable
 * column types (integer, text), so the same set runs on SQLite and PostgreSQL.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { auditHeadKeyOf } from '../audit/audit-head-key-plugin.js';

export const GENESIS_HASH = '0'.repeat(64);

export const migrations: Record<string, Migration> = {
  '0001-policy-versions-and-audit': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('policy_versions')
        .addColumn('number', 'integer', (column) => column.primaryKey())
        .addColumn('hash', 'text', (column) => column.notNull())
        .addColumn('published_at', 'text', (column) => column.notNull())
        .addColumn('material', 'integer', (column) => column.notNull())
        .addColumn('content', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'integer', (column) => column.primaryKey())
        .addColumn('at', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('action', 'text', (column) => column.notNull())
        .addColumn('target', 'text', (column) => column.notNull())
        .addColumn('data', 'text', (column) => column.notNull())
        .addColumn('prev_hash', 'text', (column) => column.notNull())
        .addColumn('hash', 'text', (column) => column.notNull().unique())
        .execute();
      await db.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (column) => column.primaryKey())
        .addColumn('seq', 'integer', (column) => column.notNull())
        .addColumn('hash', 'text', (column) => column.notNull())
        .execute();
      await (db as Kysely<{ audit_head: { id: number; seq: number; hash: string } }>)
        .insertInto('audit_head')
        .values({ id: 1, seq: 0, hash: GENESIS_HASH })
        .execute();
    },
  },
  '0002-vault': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('vault_keys')
        .addColumn('name', 'text', (column) => column.primaryKey())
        .addColumn('wrapped', 'text', (column) => column.notNull())
        .addColumn('master_key_id', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('subjects')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('region', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('last_activity_at', 'text', (column) => column.notNull())
        .addColumn('closed_at', 'text')
        .execute();
      await db.schema
        .createTable('subject_keys')
        .addColumn('subject_id', 'text', (column) => column.primaryKey().references('subjects.id').onDelete('cascade'))
        .addColumn('wrapped', 'text', (column) => column.notNull())
        .addColumn('master_key_id', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('subject_keys_master_key').on('subject_keys').column('master_key_id').execute();
      await db.schema
        .createTable('subject_identifiers')
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('blind_index', 'text', (column) => column.notNull())
        .addColumn('subject_id', 'text', (column) => column.notNull().references('subjects.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('subject_identifiers_pk', ['kind', 'blind_index'])
        .execute();
      await db.schema.createIndex('subject_identifiers_subject').on('subject_identifiers').column('subject_id').execute();
      await db.schema
        .createTable('vault_records')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('subject_id', 'text', (column) => column.notNull().references('subjects.id').onDelete('cascade'))
        .addColumn('category', 'text', (column) => column.notNull())
        .addColumn('source', 'text', (column) => column.notNull())
        .addColumn('collected_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .addColumn('data', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('vault_records_subject').on('vault_records').columns(['subject_id', 'category']).execute();
      await db.schema.createIndex('vault_records_retention').on('vault_records').columns(['category', 'collected_at']).execute();
      await db.schema
        .createTable('social_aggregates')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('platform', 'text', (column) => column.notNull())
        .addColumn('metric', 'text', (column) => column.notNull())
        .addColumn('period', 'text', (column) => column.notNull())
        .addColumn('value', 'integer', (column) => column.notNull())
        .addColumn('imported_at', 'text', (column) => column.notNull())
        .addUniqueConstraint('social_aggregates_metric', ['platform', 'metric', 'period'])
        .execute();
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('secret_hash', 'text', (column) => column.notNull().unique())
        .addColumn('role', 'text', (column) => column.notNull())
        .addColumn('purposes', 'text', (column) => column.notNull())
        .addColumn('label', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createTable('job_schedule')
        .addColumn('name', 'text', (column) => column.primaryKey())
        .addColumn('next_run_at', 'text', (column) => column.notNull())
        .addColumn('last_run_at', 'text')
        .addColumn('last_result', 'text')
        .execute();
    },
  },
  '0003-consent-and-events': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('consent_records')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('subject_id', 'text', (column) => column.notNull().references('subjects.id').onDelete('cascade'))
        .addColumn('policy_version', 'integer', (column) => column.notNull())
        .addColumn('granted', 'text', (column) => column.notNull())
        .addColumn('refused', 'text', (column) => column.notNull())
        .addColumn('source', 'text', (column) => column.notNull())
        .addColumn('gpc', 'integer', (column) => column.notNull())
        .addColumn('dnt', 'integer', (column) => column.notNull())
        .addColumn('recorded_at', 'text', (column) => column.notNull())
        .addColumn('banner_hash', 'text', (column) => column.notNull())
        .addColumn('proof', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('consent_records_subject').on('consent_records').columns(['subject_id', 'recorded_at']).execute();
      await db.schema
        .createTable('events')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('subject_id', 'text', (column) => column.notNull().references('subjects.id').onDelete('cascade'))
        .addColumn('category', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('occurred_at', 'text', (column) => column.notNull())
        .addColumn('received_at', 'text', (column) => column.notNull())
        .addColumn('country', 'text')
        .addColumn('data', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('events_subject').on('events').column('subject_id').execute();
      await db.schema.createIndex('events_category_time').on('events').columns(['category', 'occurred_at']).execute();
    },
  },
  '0004-disclosures': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('disclosures')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('recipient', 'text', (column) => column.notNull())
        .addColumn('purpose', 'text', (column) => column.notNull())
        .addColumn('categories', 'text', (column) => column.notNull())
        .addColumn('country', 'text', (column) => column.notNull())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('details', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('subject_count', 'integer', (column) => column.notNull())
        .addColumn('manifest_hash', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('disclosure_subjects')
        .addColumn('disclosure_id', 'text', (column) => column.notNull().references('disclosures.id').onDelete('cascade'))
        .addColumn('subject_id', 'text', (column) => column.notNull().references('subjects.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('disclosure_subjects_pk', ['disclosure_id', 'subject_id'])
        .execute();
      await db.schema.createIndex('disclosure_subjects_subject').on('disclosure_subjects').column('subject_id').execute();
    },
  },
  '0005-stats': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('stats_budgets')
        .addColumn('dataset', 'text', (column) => column.primaryKey())
        .addColumn('total', 'text', (column) => column.notNull())
        .addColumn('spent', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('stats_releases')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('dataset', 'text', (column) => column.notNull())
        .addColumn('query', 'text', (column) => column.notNull())
        .addColumn('epsilon', 'text', (column) => column.notNull())
        .addColumn('mechanism', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('cells', 'text', (column) => column.notNull())
        .addColumn('suppressed', 'integer', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('stats_releases_created').on('stats_releases').columns(['created_at', 'id']).execute();
    },
  },
  '0006-transfers-and-visibility': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('subject_transfers')
        .addColumn('subject_id', 'text', (column) => column.notNull().references('subjects.id').onDelete('cascade'))
        .addColumn('from_country', 'text', (column) => column.notNull())
        .addColumn('to_country', 'text', (column) => column.notNull())
        .addColumn('safeguard', 'text', (column) => column.notNull())
        .addColumn('basis', 'text', (column) => column.notNull())
        .addColumn('first_at', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('subject_transfers_pk', ['subject_id', 'basis', 'from_country', 'to_country'])
        .execute();
      await db.schema.createIndex('subject_transfers_route').on('subject_transfers').columns(['from_country', 'to_country', 'safeguard']).execute();
      await db.schema
        .createTable('subject_visibility')
        .addColumn('subject_id', 'text', (column) => column.primaryKey().references('subjects.id').onDelete('cascade'))
        .addColumn('fields', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
    },
  },
  '0007-requests-and-outbox': {
    async up(db: Kysely<unknown>) {
      // No foreign keys to subjects: a request's log outlives the erasure it may cause, keeping only the pseudonymous id.
      await db.schema
        .createTable('requests')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('subject_id', 'text')
        .addColumn('address_hash', 'text')
        .addColumn('sealed_with', 'text', (column) => column.notNull())
        .addColumn('data', 'text')
        .addColumn('jurisdiction', 'text', (column) => column.notNull())
        .addColumn('received_at', 'text', (column) => column.notNull())
        .addColumn('due_at', 'text', (column) => column.notNull())
        .addColumn('extended_at', 'text')
        .addColumn('verified_at', 'text')
        .addColumn('verification', 'text')
        .addColumn('filed_by', 'text', (column) => column.notNull())
        .addColumn('closed_at', 'text')
        .addColumn('outcome', 'text')
        .addColumn('reminded_at', 'text')
        .execute();
      await db.schema.createIndex('requests_status_due').on('requests').columns(['status', 'due_at']).execute();
      await db.schema.createIndex('requests_address').on('requests').columns(['address_hash', 'received_at']).execute();
      await db.schema.createIndex('requests_subject').on('requests').column('subject_id').execute();
      await db.schema
        .createTable('request_events')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('request_id', 'text', (column) => column.notNull())
        .addColumn('seq', 'integer', (column) => column.notNull())
        .addColumn('at', 'text', (column) => column.notNull())
        .addColumn('type', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('data', 'text', (column) => column.notNull())
        .addColumn('note', 'text')
        .execute();
      await db.schema.createIndex('request_events_request').on('request_events').columns(['request_id', 'seq']).unique().execute();
      await db.schema
        .createTable('request_codes')
        .addColumn('request_id', 'text', (column) => column.primaryKey())
        .addColumn('code_hash', 'text', (column) => column.notNull())
        .addColumn('expires_at', 'text', (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull())
        .addColumn('sends', 'integer', (column) => column.notNull())
        .addColumn('sent_at', 'text', (column) => column.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema
        .createTable('request_exports')
        .addColumn('request_id', 'text', (column) => column.primaryKey())
        .addColumn('subject_id', 'text', (column) => column.notNull())
        .addColumn('data', 'text', (column) => column.notNull())
        .addColumn('files', 'text', (column) => column.notNull())
        .addColumn('token_hash', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('expires_at', 'text', (column) => column.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema.createIndex('request_exports_subject').on('request_exports').column('subject_id').execute();
      await db.schema
        .createTable('outbox_messages')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('subject_id', 'text')
        .addColumn('data', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull())
        .addColumn('next_attempt_at', 'text', (column) => column.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('sent_at', 'text')
        .execute();
      await db.schema.createIndex('outbox_messages_due').on('outbox_messages').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('outbox_messages_subject').on('outbox_messages').column('subject_id').execute();
      await db.schema
        .createTable('sale_opt_outs')
        .addColumn('subject_id', 'text', (column) => column.primaryKey().references('subjects.id').onDelete('cascade'))
        .addColumn('opted_out', 'integer', (column) => column.notNull())
        .addColumn('reason', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
    },
  },
  '0008-erasure-holds-webhooks': {
    async up(db: Kysely<unknown>) {
      // No foreign keys to subjects: the proof of an erasure, a hold and a notice outlive the subject, by its pseudonymous id only.
      await db.schema
        .createTable('erasures')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('subject_id', 'text', (column) => column.notNull())
        .addColumn('erased_at', 'text', (column) => column.notNull())
        .addColumn('reason', 'text', (column) => column.notNull())
        .addColumn('request_id', 'text')
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('erased', 'integer', (column) => column.notNull())
        .addColumn('counts', 'text', (column) => column.notNull())
        .addColumn('held_categories', 'text', (column) => column.notNull())
        .addColumn('disclosures', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('erasures_subject').on('erasures').column('subject_id').execute();
      await db.schema.createIndex('erasures_time').on('erasures').columns(['erased_at', 'id']).execute();
      await db.schema
        .createTable('legal_holds')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('subject_id', 'text', (column) => column.notNull())
        .addColumn('reason', 'text', (column) => column.notNull())
        .addColumn('reason_hash', 'text', (column) => column.notNull())
        .addColumn('categories', 'text')
        .addColumn('source', 'text', (column) => column.notNull())
        .addColumn('disclosure_id', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addColumn('released_at', 'text')
        .addColumn('released_by', 'text')
        .execute();
      await db.schema.createIndex('legal_holds_subject').on('legal_holds').columns(['subject_id', 'released_at']).execute();
      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('recipient', 'text', (column) => column.notNull())
        .addColumn('url', 'text', (column) => column.notNull())
        .addColumn('secret', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createIndex('webhook_endpoints_recipient').on('webhook_endpoints').columns(['recipient', 'revoked_at']).execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('endpoint_id', 'text', (column) => column.notNull().references('webhook_endpoints.id'))
        .addColumn('recipient', 'text', (column) => column.notNull())
        .addColumn('subject_id', 'text', (column) => column.notNull())
        .addColumn('event', 'text', (column) => column.notNull())
        .addColumn('body', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull())
        .addColumn('next_attempt_at', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('delivered_at', 'text')
        .execute();
      await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('webhook_deliveries_subject').on('webhook_deliveries').column('subject_id').execute();
      await db.schema
        .createTable('webhook_attempts')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('delivery_id', 'text', (column) => column.notNull().references('webhook_deliveries.id'))
        .addColumn('at', 'text', (column) => column.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('next_attempt_at', 'text')
        .execute();
      await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'at']).execute();
    },
  },
  '0009-children-and-acceptance': {
    async up(db: Kysely<unknown>) {
      // No foreign key to subjects: a confirmed report outlives the erasure it caused, as its proof.
      await db.schema
        .createTable('child_reports')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('subject_id', 'text')
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('reporter', 'text')
        .addColumn('child_email', 'text')
        .addColumn('details', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('decided_at', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decision_reason', 'text')
        .addColumn('outcome', 'text')
        .execute();
      await db.schema.createIndex('child_reports_status').on('child_reports').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('child_reports_subject').on('child_reports').column('subject_id').execute();
      await db.schema
        .createTable('policy_notices')
        .addColumn('subject_id', 'text', (column) => column.notNull().references('subjects.id').onDelete('cascade'))
        .addColumn('version', 'integer', (column) => column.notNull())
        .addColumn('notified_at', 'text', (column) => column.notNull())
        .addColumn('message_id', 'text')
        .addPrimaryKeyConstraint('policy_notices_pk', ['subject_id', 'version'])
        .execute();
      await db.schema
        .createTable('policy_acceptances')
        .addColumn('subject_id', 'text', (column) => column.notNull().references('subjects.id').onDelete('cascade'))
        .addColumn('version', 'integer', (column) => column.notNull())
        .addColumn('method', 'text', (column) => column.notNull())
        .addColumn('accepted_at', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('purposes', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('policy_acceptances_pk', ['subject_id', 'version'])
        .execute();
    },
  },
  '0010-subject-links': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('subject_links')
        .addColumn('subject_id', 'text', (column) => column.notNull().references('subjects.id').onDelete('cascade'))
        .addColumn('linked_subject_id', 'text', (column) => column.notNull().unique().references('subjects.id').onDelete('cascade'))
        .addColumn('linked_at', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('subject_links_pk', ['subject_id', 'linked_subject_id'])
        .execute();
    },
  },
  '0011-sale-opt-out-addresses': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sale_opt_out_addresses')
        .addColumn('address_hash', 'text', (column) => column.primaryKey())
        .addColumn('opted_out_at', 'text', (column) => column.notNull())
        .execute();
    },
  },
  '0012-event-groups': {
    async up(db: Kysely<unknown>) {
      // A row holds the events of one request that share every clear dimension (see
      // collect/group-events.ts); rows written before hold one event each.
      await db.schema.alterTable('events').addColumn('event_count', 'integer', (column) => column.notNull().defaultTo(1)).execute();
    },
  },
  '0013-purpose-consents': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('purpose_consents')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('subject_id', 'text', (column) => column.notNull().references('subjects.id').onDelete('cascade'))
        .addColumn('purpose', 'text', (column) => column.notNull())
        .addColumn('granted', 'integer', (column) => column.notNull())
        .addColumn('source', 'text', (column) => column.notNull())
        .addColumn('channel', 'text')
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('policy_version', 'integer', (column) => column.notNull())
        .addColumn('text_hash', 'text', (column) => column.notNull())
        .addColumn('recorded_at', 'text', (column) => column.notNull())
        .addColumn('proof', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('purpose_consents_subject').on('purpose_consents').columns(['subject_id', 'purpose', 'recorded_at']).execute();
    },
  },
  '0014-recipient-tasks': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('recipient_tasks')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('recipient', 'text', (column) => column.notNull())
        .addColumn('subject_id', 'text', (column) => column.notNull())
        .addColumn('event', 'text', (column) => column.notNull())
        .addColumn('details', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('done_at', 'text')
        .addColumn('done_by', 'text')
        .execute();
      await db.schema.createIndex('recipient_tasks_status').on('recipient_tasks').columns(['status', 'created_at']).execute();
    },
  },
  '0015-legal-grounds': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('disclosures').addColumn('legal_ground', 'text').execute();
      await db.schema.alterTable('disclosures').addColumn('silent_until', 'text').execute();
    },
  },
  '0016-claimed-work': {
    async up(db: Kysely<unknown>) {
      // A completion is claimed before it is carried out: its inputs and the requester's
      // address, sealed, ride on the claim, so that a process that dies mid-way can be
      // resumed by another, and the notice still reaches the requester after an erasure.
      await db.schema.alterTable('requests').addColumn('claimed_at', 'text').execute();
      await db.schema.alterTable('requests').addColumn('completion', 'text').execute();
      await db.schema.alterTable('child_reports').addColumn('claimed_at', 'text').execute();
      await db.schema.createIndex('requests_status_claimed').on('requests').columns(['status', 'claimed_at']).execute();
    },
  },
  '0017-disclosure-details-sealed': {
    /**
     * Details are sealed from now on (`disclosures/disclosure-details.ts`). A migration has
     * no keys, so it cannot seal the rows written before; it does what needs none: empty
     * details become `''`, and the plain details of disclosures all of whose subjects were
     * erased (the leftovers erasure missed) are cleared. The rest, whose subjects remain,
     * are sealed under their keys when Vow next starts (`sealLegacyDetails`).
     */
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('disclosures').addColumn('details_key', 'text').execute();
      await db.schema.alterTable('disclosure_subjects').addColumn('details_key', 'text').execute();
      const typed = db as Kysely<{ disclosures: { id: string; details: string; subject_count: number }; disclosure_subjects: { disclosure_id: string } }>;
      await typed.updateTable('disclosures').set({ details: '' }).where('details', '=', '{}').execute();
      await typed
        .updateTable('disclosures')
        .set({ details: '' })
        .where('details', 'not like', 'v1.%')
        .where('subject_count', '>', 0)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('disclosure_subjects').select('disclosure_id').whereRef('disclosure_subjects.disclosure_id', '=', 'disclosures.id'))))
        .execute();
    },
  },
  '0018-audit-head-mac': {
    /**
     * The head gets its MAC here, once, under the key the store was opened with: this
     * upgrade vouches for the head as it stands, as the unkeyed head did until now (a
     * checkpoint taken before upgrading covers what came before). After this, a head
     * without a MAC is a broken one: nothing fills a missing MAC again, since an attacker
     * could clear it too.
     */
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('audit_head').addColumn('mac', 'text').execute();
      await db.schema.alterTable('audit_head').addColumn('mac_key_id', 'text').execute();
      const typed = db as Kysely<{ audit_head: { id: number; seq: number; hash: string; mac: string | null; mac_key_id: string | null } }>;
      const head = await typed.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
      if (!head) return;
      const seal = auditHeadKeyOf(db).seal(head.seq, head.hash);
      await typed.updateTable('audit_head').set({ mac: seal.mac, mac_key_id: seal.keyId }).where('id', '=', 1).execute();
    },
  },
  '0019-system-tasks': {
    async up(db: Kysely<unknown>) {
      // Each declared system's share of a request: claimed by one process, retried with
      // backoff, resumed after a crash, and the request done only once all are.
      await db.schema
        .createTable('system_tasks')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('request_id', 'text', (column) => column.notNull())
        .addColumn('system_id', 'text', (column) => column.notNull())
        .addColumn('action', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text')
        .addColumn('lease_until', 'text')
        .addColumn('last_error', 'text')
        .addColumn('input', 'text', (column) => column.notNull())
        .addColumn('result', 'text')
        .addColumn('done_by', 'text')
        .addColumn('done_reason', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('done_at', 'text')
        .execute();
      await db.schema.createIndex('system_tasks_request').on('system_tasks').column('request_id').execute();
      await db.schema.createIndex('system_tasks_due').on('system_tasks').columns(['status', 'next_attempt_at']).execute();
    },
  },
  '0020-recipient-task-request': {
    async up(db: Kysely<unknown>) {
      // A recipient told by staff of a request's erasure or correction is one of the
      // request's tasks: the request completes once staff confirm it, with their reason.
      await db.schema.alterTable('recipient_tasks').addColumn('request_id', 'text').execute();
      await db.schema.alterTable('recipient_tasks').addColumn('done_reason', 'text').execute();
      await db.schema.createIndex('recipient_tasks_request').on('recipient_tasks').column('request_id').execute();
    },
  },
  '0021-consent-region': {
    async up(db: Kysely<unknown>) {
      // Where a decision came from and the consent model its banner showed (opt-in or opt-out), as the proof covers them.
      await db.schema.alterTable('consent_records').addColumn('region', 'text').execute();
      await db.schema.alterTable('consent_records').addColumn('consent_model', 'text').execute();
    },
  },
  '0022-breaches': {
    async up(db: Kysely<unknown>) {
      // The register of personal data breaches (GDPR art. 33(5)): what happened, sealed, and its clocks from discovery.
      await db.schema
        .createTable('breaches')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('risk', 'text', (column) => column.notNull())
        .addColumn('began_at', 'text', (column) => column.notNull())
        .addColumn('discovered_at', 'text', (column) => column.notNull())
        .addColumn('categories', 'text', (column) => column.notNull())
        .addColumn('subject_count', 'integer', (column) => column.notNull())
        .addColumn('details', 'text', (column) => column.notNull())
        .addColumn('authority_notified_at', 'text')
        .addColumn('authority_reference', 'text')
        .addColumn('subjects_notified_at', 'text')
        .addColumn('recorded_by', 'text', (column) => column.notNull())
        .addColumn('recorded_at', 'text', (column) => column.notNull())
        .addColumn('closed_at', 'text')
        .execute();
      await db.schema.createIndex('breaches_discovered').on('breaches').column('discovered_at').execute();
      await db.schema
        .createTable('breach_subjects')
        .addColumn('breach_id', 'text', (column) => column.notNull())
        .addColumn('subject_id', 'text', (column) => column.notNull())
        .addColumn('added_at', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('breach_subjects_pk', ['breach_id', 'subject_id'])
        .execute();
      await db.schema.createIndex('breach_subjects_subject').on('breach_subjects').column('subject_id').execute();
    },
  },
  '0023-staff-accounts': {
    async up(db: Kysely<unknown>) {
      // Staff who sign in to the console: an e-mail (sealed, found by its keyed hash), an
      // Argon2id password hash, a role as API keys have; and their sessions, by token hash.
      await db.schema
        .createTable('staff_accounts')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('email_index', 'text', (column) => column.notNull().unique())
        .addColumn('email', 'text', (column) => column.notNull())
        .addColumn('password_hash', 'text', (column) => column.notNull())
        .addColumn('role', 'text', (column) => column.notNull())
        .addColumn('purposes', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('disabled_at', 'text')
        .execute();
      await db.schema
        .createTable('staff_sessions')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('token_hash', 'text', (column) => column.notNull().unique())
        .addColumn('csrf_hash', 'text', (column) => column.notNull())
        .addColumn('account_id', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('expires_at', 'text', (column) => column.notNull())
        .addColumn('last_seen_at', 'text', (column) => column.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createIndex('staff_sessions_account').on('staff_sessions').column('account_id').execute();
    },
  },
  '0024-request-queue-and-second-factor': {
    async up(db: Kysely<unknown>) {
      // The whole queue in deadline order, a page at a time (the console): one range read a page.
      await db.schema.createIndex('requests_due').on('requests').columns(['due_at', 'id']).execute();
      // A staff account's optional TOTP second factor: the secret sealed under the staff key,
      // confirmed once a code from it was given; the last time step used, so no code is taken twice.
      await db.schema.alterTable('staff_accounts').addColumn('totp_secret', 'text').execute();
      await db.schema.alterTable('staff_accounts').addColumn('totp_confirmed_at', 'text').execute();
      await db.schema.alterTable('staff_accounts').addColumn('totp_last_step', 'integer').execute();
    },
  },
  '0025-site-scans': {
    async up(db: Kysely<unknown>) {
      // What `vow scan` found on the live site, kept so the console shows the latest reports
      // and their drift: cookie names, hosts and the site's own page addresses; no visitor.
      await db.schema
        .createTable('site_scans')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('site', 'text', (column) => column.notNull())
        .addColumn('scanned_at', 'text', (column) => column.notNull())
        .addColumn('pages', 'integer', (column) => column.notNull())
        .addColumn('failed', 'integer', (column) => column.notNull())
        .addColumn('drift', 'text', (column) => column.notNull())
        .addColumn('policy_version', 'integer')
        .execute();
      await db.schema.createIndex('site_scans_scanned').on('site_scans').column('scanned_at').execute();
    },
  },
  '0026-second-factor-lockout': {
    async up(db: Kysely<unknown>) {
      // Wrong codes counted per account (after a right password), so that guessing a code from
      // many addresses ends in a lockout; reset by a right code.
      await db.schema.alterTable('staff_accounts').addColumn('totp_failures', 'integer', (column) => column.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('staff_accounts').addColumn('totp_locked_until', 'text').execute();
      // Sessions opened before the CSRF token was derived from the session's token cannot be
      // given theirs again: they end, and their people sign in once more.
      await sql`update staff_sessions set revoked_at = ${new Date().toISOString()} where revoked_at is null`.execute(db);
    },
  },
};
