import { type Kysely, sql } from 'kysely';
import { inWriteTransaction, type RegisterDb, type RegisterDialect } from './database';
import type { RegisterDatabase } from './schema';

// Schema migrations, applied in order at start-up. Safe to run twice and from several processes at once:
// everything happens in one write transaction that first takes the database's lock (an advisory lock on
// PostgreSQL, the write lock of BEGIN IMMEDIATE on SQLite); DDL is transactional on both.
// Never edit a migration that has shipped: add a new one.

interface Migration {
  name: string;
  up(db: Kysely<RegisterDatabase>, dialect: RegisterDialect): Promise<void>;
}

/** Arbitrary constant naming gongkai's migration lock among PostgreSQL advisory locks. */
const PG_MIGRATION_LOCK = 0x676b6d67; // "gkmg"

const MIGRATIONS: Migration[] = [
  {
    name: '0001-register',
    async up(db, dialect) {
      const binary = dialect === 'postgres' ? sql`bytea` : sql`blob`;
      await db.schema
        .createTable('gk_case')
        .addColumn('case_number', 'text', (c) => c.primaryKey())
        .addColumn('agency_code', 'text', (c) => c.notNull())
        .addColumn('registration_year', 'integer', (c) => c.notNull())
        .addColumn('serial', 'integer', (c) => c.notNull())
        .addColumn('submission_id', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .addColumn('received_on', 'text')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('applicant_column', 'text', (c) => c.notNull())
        .addColumn('sealed_application', binary, (c) => c.notNull())
        .addColumn('handler_id', 'text')
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('correction_notice_due', 'text')
        .addColumn('reply_due', 'text')
        .addColumn('reply_due_extended', 'text')
        .addColumn('outcome', 'text')
        .addColumn('report_row', 'text')
        .addColumn('dispatched_on', 'text')
        .addColumn('closed_on', 'text')
        .addColumn('sealed_case_file', binary)
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('gk_case_submission', ['agency_code', 'submission_id'])
        .addUniqueConstraint('gk_case_serial', ['agency_code', 'registration_year', 'serial'])
        .execute();
      await db.schema.createIndex('gk_case_agency_received').on('gk_case').columns(['agency_code', 'received_on']).execute();
      await db.schema.createIndex('gk_case_agency_closed').on('gk_case').columns(['agency_code', 'closed_on']).execute();

      await db.schema
        .createTable('gk_applicant_index')
        .addColumn('applicant_hmac', 'text', (c) => c.notNull())
        .addColumn('case_number', 'text', (c) => c.notNull().references('gk_case.case_number'))
        .addPrimaryKeyConstraint('gk_applicant_index_pk', ['applicant_hmac', 'case_number'])
        .execute();

      await db.schema
        .createTable('gk_audit_event')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('event_key', 'text', (c) => c.notNull().unique())
        .addColumn('case_number', 'text', (c) => c.notNull().references('gk_case.case_number'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('old_values', 'text', (c) => c.notNull())
        .addColumn('new_values', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('gk_audit_event_case').on('gk_audit_event').columns(['case_number', 'id']).execute();

      await db.schema
        .createTable('gk_number_counter')
        .addColumn('series', 'text', (c) => c.primaryKey())
        .addColumn('last_value', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('gk_number_allocation')
        .addColumn('allocation_key', 'text', (c) => c.primaryKey())
        .addColumn('series', 'text', (c) => c.notNull())
        .addColumn('value', 'integer', (c) => c.notNull())
        .addColumn('allocated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('gk_number_allocation_value', ['series', 'value'])
        .execute();

      await db.schema
        .createTable('gk_document')
        .addColumn('document_id', 'text', (c) => c.primaryKey())
        .addColumn('case_number', 'text', (c) => c.notNull().references('gk_case.case_number'))
        .addColumn('document_type', 'text', (c) => c.notNull())
        .addColumn('document_number', 'text', (c) => c.unique())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('sealed_content', binary, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('dispatched_on', 'text')
        .addColumn('delivery_method', 'text')
        .addColumn('delivered_on', 'text')
        .execute();
      await db.schema.createIndex('gk_document_case').on('gk_document').column('case_number').execute();

      await db.schema
        .createTable('gk_email_ledger')
        .addColumn('email_key', 'text', (c) => c.primaryKey())
        .addColumn('case_number', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('reserved_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .execute();

      await db.schema
        .createTable('gk_remedy_record')
        .addColumn('record_id', 'text', (c) => c.primaryKey())
        .addColumn('case_number', 'text', (c) => c.notNull().references('gk_case.case_number'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('after_review', 'integer', (c) => c.notNull())
        .addColumn('filed_on', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('decided_on', 'text')
        .addColumn('entered_by', 'text', (c) => c.notNull())
        .addColumn('entered_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('gk_holiday_calendar')
        .addColumn('year', 'integer', (c) => c.primaryKey())
        .addColumn('notice', 'text', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('loaded_by', 'text', (c) => c.notNull())
        .addColumn('loaded_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    // A letter whose delivery failed is dispatched again: the row keeps the latest dispatch, and when the one before failed.
    name: '0002-delivery-failure',
    async up(db) {
      await db.schema.alterTable('gk_document').addColumn('delivery_failed_on', 'text').execute();
    },
  },
];

/** Applies the migrations not yet applied; returns their names. */
export async function migrate(register: RegisterDb, now: () => string = () => new Date().toISOString()): Promise<string[]> {
  return inWriteTransaction(register, async (trx) => {
    if (register.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`.execute(trx);
    await trx.schema
      .createTable('gk_migration')
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('applied_at', 'text', (c) => c.notNull())
      .execute();
    const applied = new Set((await trx.selectFrom('gk_migration').select('name').execute()).map((row) => row.name));
    const names: string[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.name)) continue;
      await migration.up(trx, register.dialect);
      await trx.insertInto('gk_migration').values({ name: migration.name, applied_at: now() }).execute();
      names.push(migration.name);
    }
    return names;
  });
}
