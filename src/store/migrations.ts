/**
 * Vow's migrations, in order. Written once through the schema builder with portable
 * column types (integer, text), so the same set runs on SQLite and PostgreSQL.
 */
import type { Kysely, Migration } from 'kysely';

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
};
