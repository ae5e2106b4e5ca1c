import type { Generated } from 'kysely';

// The register's tables. Columns in plain text hold no personal data (case numbers, agency codes,
// dates, stages, outcomes, staff ids); personal data lives only in sealed (encrypted) blobs.

export interface CaseTable {
  case_number: string;
  agency_code: string;
  registration_year: number;
  serial: number;
  submission_id: string;
  registered_at: string;
  /** Receipt date T0 (Art. 31), null while awaiting confirmation. */
  received_on: string | null;
  channel: string;
  /** Annual-report applicant column (自然人, 商业企业, …). */
  applicant_column: string;
  /** The application (applicant, contact, requested items), sealed. */
  sealed_application: Uint8Array;
  handler_id: string | null;
  stage: string;
  correction_notice_due: string | null;
  reply_due: string | null;
  reply_due_extended: string | null;
  outcome: string | null;
  report_row: string | null;
  dispatched_on: string | null;
  closed_on: string | null;
  /** The archived case file (档案) at closure, sealed. */
  sealed_case_file: Uint8Array | null;
  updated_at: string;
}

export interface ApplicantIndexTable {
  /** HMAC-SHA256 of the ID document (kind and number), hex: finds earlier requests without storing the number. */
  applicant_hmac: string;
  case_number: string;
}

export interface AuditEventTable {
  id: Generated<number>;
  /** Idempotency key: recording the same event twice leaves one row. */
  event_key: string;
  case_number: string;
  at: string;
  actor_id: string;
  action: string;
  /** JSON of the changed register fields before and after (never personal data). */
  old_values: string;
  new_values: string;
}

export interface NumberCounterTable {
  /** e.g. `case:LYG-ZFB:2026`, `document:LYG-ZFB:2026:reply` */
  series: string;
  last_value: number;
}

export interface NumberAllocationTable {
  /** The caller's idempotency key, unique across all series. */
  allocation_key: string;
  series: string;
  value: number;
  allocated_at: string;
}

export interface DocumentTable {
  document_id: string;
  case_number: string;
  document_type: string;
  document_number: string | null;
  sha256: string;
  media_type: string;
  /** The rendered file (it names the applicant), sealed. */
  sealed_content: Uint8Array;
  created_at: string;
  dispatched_on: string | null;
  delivery_method: string | null;
  /** Proof of delivery: the day the applicant signed for it, or the post took it. */
  delivered_on: string | null;
  /** The day the last dispatch was found to have failed (bounced, returned): a new dispatch may then be recorded. */
  delivery_failed_on: string | null;
}

export interface EmailLedgerTable {
  email_key: string;
  case_number: string | null;
  kind: string;
  recipient: string;
  message_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  reserved_at: string;
  sent_at: string | null;
}

export interface RemedyRecordTable {
  record_id: string;
  case_number: string;
  /** 'review' (行政复议) or 'suit' (行政诉讼) */
  kind: string;
  /** For suits: brought after a review decision (复议后起诉) rather than directly. */
  after_review: number;
  filed_on: string;
  /** 'upheld' 维持 | 'corrected' 纠正 | 'other' 其他 | 'pending' 尚未审结 */
  result: string;
  decided_on: string | null;
  entered_by: string;
  entered_at: string;
}

export interface HolidayCalendarTable {
  year: number;
  /** The validated notice JSON (public data). */
  notice: string;
  digest: string;
  loaded_by: string;
  loaded_at: string;
}

export interface MigrationTable {
  name: string;
  applied_at: string;
}

export interface RegisterDatabase {
  gk_case: CaseTable;
  gk_applicant_index: ApplicantIndexTable;
  gk_audit_event: AuditEventTable;
  gk_number_counter: NumberCounterTable;
  gk_number_allocation: NumberAllocationTable;
  gk_document: DocumentTable;
  gk_email_ledger: EmailLedgerTable;
  gk_remedy_record: RemedyRecordTable;
  gk_holiday_calendar: HolidayCalendarTable;
  gk_migration: MigrationTable;
}
