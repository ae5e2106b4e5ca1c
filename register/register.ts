import { createHash, createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { caseNumberOf, caseSeries, documentSeries, formatDocumentNumber } from '../domain/numbering';
import type { Sealer } from '../workers/sealer';
import { inWriteTransaction, type RegisterDb } from './database';
import { migrate } from './migrations';
import { type Allocation, allocateNumber, allocateWithin, withKeyRetry } from './numbers';
import type { CaseTable, RegisterDatabase } from './schema';

// The register (登记台账 and 档案): the permanent record that outlives Temporal's retention. Every write is
// idempotent by a caller-supplied key, so an activity retried after a crash leaves the same state as one run.

/** Register fields of a case that events may change; never personal data. */
export const TRACKED_FIELDS = [
  'received_on',
  'handler_id',
  'stage',
  'correction_notice_due',
  'reply_due',
  'reply_due_extended',
  'outcome',
  'report_row',
  'dispatched_on',
  'closed_on',
] as const satisfies readonly (keyof CaseTable)[];
export type TrackedField = (typeof TRACKED_FIELDS)[number];
export type CaseChanges = Partial<Pick<CaseTable, TrackedField>>;

export interface IdDocumentRef {
  kind: string;
  number: string;
}

export interface RegisterCaseInput {
  agencyCode: string;
  /** The client's id for this submission: submitting twice yields one case. */
  submissionId: string;
  /** When the case was registered; its Beijing year numbers the case. */
  registeredAt: string;
  registrationYear: number;
  receivedOn: string | null;
  channel: string;
  applicantColumn: string;
  stage: string;
  actorId: string;
  /** The whole application; stored sealed. */
  application: unknown;
  idDocument: IdDocumentRef;
}

export interface RegisteredCase {
  caseNumber: string;
  created: boolean;
  /** The case (registered before) has been closed: its processing has ended. */
  closed: boolean;
}

export interface CaseEventInput {
  caseNumber: string;
  /** Idempotency key of the event (e.g. workflow id + update id). */
  eventKey: string;
  at: string;
  actorId: string;
  action: string;
  changes: CaseChanges;
}

export interface StoreDocumentInput {
  documentId: string;
  caseNumber: string;
  documentType: string;
  documentNumber: string | null;
  mediaType: string;
  content: Uint8Array;
  createdAt: string;
}

export interface EmailReservation {
  key: string;
  caseNumber: string | null;
  kind: string;
  recipient: string;
  messageId: string;
  at: string;
}

export type EmailState = 'reserved' | 'sent' | 'failed';

export interface RemedyRecordInput {
  recordId: string;
  caseNumber: string;
  kind: 'review' | 'suit';
  afterReview: boolean;
  filedOn: string;
  result: 'upheld' | 'corrected' | 'other' | 'pending';
  decidedOn: string | null;
  enteredBy: string;
  enteredAt: string;
}

export class RegisterError extends Error {
  override readonly name = 'RegisterError';
}

export interface RegisterDeps {
  store: RegisterDb;
  sealer: Sealer;
  /** Secret key of the applicant index: an HMAC, because ID numbers are too guessable for a plain hash. */
  applicantIndexKey: Buffer;
}

export function createRegister({ store, sealer, applicantIndexKey }: RegisterDeps) {
  const { db } = store;
  const applicantHmac = (doc: IdDocumentRef): string =>
    createHmac('sha256', applicantIndexKey).update(`${doc.kind}\u0000${doc.number.toUpperCase()}`).digest('hex');

  async function readTracked(trx: Kysely<RegisterDatabase>, caseNumber: string): Promise<Pick<CaseTable, TrackedField>> {
    const row = await trx.selectFrom('gk_case').select(TRACKED_FIELDS).where('case_number', '=', caseNumber).executeTakeFirst();
    if (!row) throw new RegisterError(`no case ${caseNumber} in the register`);
    return row;
  }

  /** Inside a transaction: applies `changes` and appends the audit event, unless the event was recorded before. */
  async function recordEventWithin(trx: Kysely<RegisterDatabase>, event: CaseEventInput): Promise<boolean> {
    const seen = await trx.selectFrom('gk_audit_event').select('id').where('event_key', '=', event.eventKey).executeTakeFirst();
    if (seen) return false;
    const before = await readTracked(trx, event.caseNumber);
    const oldValues = Object.fromEntries(Object.keys(event.changes).map((field) => [field, before[field as TrackedField]]));
    if (Object.keys(event.changes).length > 0) {
      await trx
        .updateTable('gk_case')
        .set({ ...event.changes, updated_at: event.at })
        .where('case_number', '=', event.caseNumber)
        .execute();
    }
    await trx
      .insertInto('gk_audit_event')
      .values({
        event_key: event.eventKey,
        case_number: event.caseNumber,
        at: event.at,
        actor_id: event.actorId,
        action: event.action,
        old_values: JSON.stringify(oldValues),
        new_values: JSON.stringify(event.changes),
      })
      .execute();
    return true;
  }

  return {
    store,

    migrate: () => migrate(store),
    close: () => db.destroy(),

    /** Allocates the case number for a submission and registers the case, once per (agency, submission id). */
    registerCase(input: RegisterCaseInput): Promise<RegisteredCase> {
      return withKeyRetry(store, async (trx) => {
        const allocation = await allocateWithin(
          trx,
          caseSeries(input.agencyCode, input.registrationYear),
          `case-submission:${input.agencyCode}:${input.submissionId}`,
          input.registeredAt,
        );
        const [, yearText] = /^case:.+:(\d{4})$/.exec(allocation.series) ?? [];
        const caseNumber = caseNumberOf(input.agencyCode, Number(yearText), allocation.value);
        if (!allocation.created) {
          const existing = await trx.selectFrom('gk_case').select('closed_on').where('case_number', '=', caseNumber).executeTakeFirst();
          return { caseNumber, created: false, closed: Boolean(existing?.closed_on) };
        }
        await trx
          .insertInto('gk_case')
          .values({
            case_number: caseNumber,
            agency_code: input.agencyCode,
            registration_year: Number(yearText),
            serial: allocation.value,
            submission_id: input.submissionId,
            registered_at: input.registeredAt,
            received_on: input.receivedOn,
            channel: input.channel,
            applicant_column: input.applicantColumn,
            sealed_application: sealer.sealJson(input.application, `case:${caseNumber}:application`),
            handler_id: null,
            stage: input.stage,
            correction_notice_due: null,
            reply_due: null,
            reply_due_extended: null,
            outcome: null,
            report_row: null,
            dispatched_on: null,
            closed_on: null,
            sealed_case_file: null,
            updated_at: input.registeredAt,
          })
          .execute();
        await trx.insertInto('gk_applicant_index').values({ applicant_hmac: applicantHmac(input.idDocument), case_number: caseNumber }).execute();
        await recordEventWithin(trx, {
          caseNumber,
          eventKey: `${caseNumber}:registered`,
          at: input.registeredAt,
          actorId: input.actorId,
          action: 'register',
          changes: { stage: input.stage, received_on: input.receivedOn },
        });
        return { caseNumber, created: true, closed: false };
      });
    },

    /** Records a transition or any audited act; twice with the same key changes nothing the second time. */
    recordCaseEvent(event: CaseEventInput): Promise<boolean> {
      return withKeyRetry(store, (trx) => recordEventWithin(trx, event));
    },

    /** The next document number of the agency's series for this type, once per key (e.g. the document id). */
    async allocateDocumentNumber(input: {
      agencyCode: string;
      year: number;
      documentType: string;
      format: string;
      key: string;
      at: string;
    }): Promise<Allocation & { documentNumber: string }> {
      const allocation = await allocateNumber(store, documentSeries(input.agencyCode, input.year, input.documentType), `document:${input.key}`, input.at);
      return { ...allocation, documentNumber: formatDocumentNumber(input.format, input.year, allocation.value) };
    },

    /** Stores a rendered document (sealed); storing the same id again with the same bytes is a no-op. */
    async storeDocument(input: StoreDocumentInput): Promise<{ sha256: string; created: boolean }> {
      const sha256 = createHash('sha256').update(input.content).digest('hex');
      return withKeyRetry(store, async (trx) => {
        const existing = await trx.selectFrom('gk_document').select('sha256').where('document_id', '=', input.documentId).executeTakeFirst();
        if (existing) {
          if (existing.sha256 !== sha256) throw new RegisterError(`document ${input.documentId} is already stored with other content`);
          return { sha256, created: false };
        }
        await trx
          .insertInto('gk_document')
          .values({
            document_id: input.documentId,
            case_number: input.caseNumber,
            document_type: input.documentType,
            document_number: input.documentNumber,
            sha256,
            media_type: input.mediaType,
            sealed_content: sealer.seal(input.content, `document:${input.documentId}`),
            created_at: input.createdAt,
            dispatched_on: null,
            delivery_method: null,
            delivered_on: null,
          })
          .execute();
        return { sha256, created: true };
      });
    },

    async readDocument(documentId: string): Promise<{ content: Buffer; mediaType: string; documentNumber: string | null; sha256: string } | undefined> {
      const row = await db.selectFrom('gk_document').selectAll().where('document_id', '=', documentId).executeTakeFirst();
      if (!row) return undefined;
      return { content: sealer.open(row.sealed_content, `document:${documentId}`), mediaType: row.media_type, documentNumber: row.document_number, sha256: row.sha256 };
    },

    /** Dispatch and proof of delivery (送达); the same values again are a no-op, different ones are refused. */
    async recordDelivery(input: { documentId: string; dispatchedOn: string; method: string; deliveredOn: string | null }): Promise<void> {
      await inWriteTransaction(store, async (trx) => {
        const row = await trx.selectFrom('gk_document').select(['dispatched_on', 'delivery_method', 'delivered_on', 'delivery_failed_on']).where('document_id', '=', input.documentId).executeTakeFirst();
        if (!row) throw new RegisterError(`no document ${input.documentId}`);
        // After a failed delivery, the next dispatch replaces it; otherwise one dispatch, recorded again only with the same dates.
        const redispatch = row.delivery_failed_on !== null;
        const conflicts =
          !redispatch &&
          ((row.dispatched_on !== null && row.dispatched_on !== input.dispatchedOn) ||
            (row.delivered_on !== null && input.deliveredOn !== null && row.delivered_on !== input.deliveredOn));
        if (conflicts) throw new RegisterError(`document ${input.documentId} already has other delivery dates`);
        await trx
          .updateTable('gk_document')
          .set({
            dispatched_on: input.dispatchedOn,
            delivery_method: input.method,
            delivered_on: redispatch ? input.deliveredOn : (input.deliveredOn ?? row.delivered_on),
            ...(redispatch ? { delivery_failed_on: null } : {}),
          })
          .where('document_id', '=', input.documentId)
          .execute();
      });
    },

    /**
     * The dispatch of a letter failed (bounced, returned by the post): a new dispatch may be recorded. Idempotent;
     * false when the letter has no dispatch on record (an email rejected at once records none), so nothing failed here.
     */
    async recordDeliveryFailed(input: { documentId: string; failedOn: string }): Promise<boolean> {
      return inWriteTransaction(store, async (trx) => {
        const row = await trx.selectFrom('gk_document').select(['dispatched_on']).where('document_id', '=', input.documentId).executeTakeFirst();
        if (!row) throw new RegisterError(`no document ${input.documentId}`);
        if (row.dispatched_on === null) return false;
        await trx.updateTable('gk_document').set({ delivery_failed_on: input.failedOn }).where('document_id', '=', input.documentId).execute();
        return true;
      });
    },

    /** Archives the case at closure (归档): final register fields plus the sealed case file, once. */
    archiveCase(input: CaseEventInput & { caseFile: unknown }): Promise<boolean> {
      return withKeyRetry(store, async (trx) => {
        const recorded = await recordEventWithin(trx, { ...input, action: input.action || 'archive' });
        if (recorded) {
          await trx
            .updateTable('gk_case')
            .set({ sealed_case_file: sealer.sealJson(input.caseFile, `case:${input.caseNumber}:case-file`) })
            .where('case_number', '=', input.caseNumber)
            .execute();
        }
        return recorded;
      });
    },

    /** A case as the register knows it, with its application opened: for when Temporal no longer holds it. */
    async readCase(caseNumber: string) {
      const row = await db.selectFrom('gk_case').selectAll().where('case_number', '=', caseNumber).executeTakeFirst();
      if (!row) return undefined;
      const { sealed_application, sealed_case_file, ...fields } = row;
      const documents = await db
        .selectFrom('gk_document')
        .select(['document_id', 'document_type', 'document_number', 'sha256', 'media_type', 'created_at', 'dispatched_on', 'delivery_method', 'delivered_on', 'delivery_failed_on'])
        .where('case_number', '=', caseNumber)
        .orderBy('created_at')
        .execute();
      return {
        ...fields,
        application: sealer.openJson<unknown>(sealed_application, `case:${caseNumber}:application`),
        caseFile: sealed_case_file ? sealer.openJson<unknown>(sealed_case_file, `case:${caseNumber}:case-file`) : null,
        documents,
      };
    },

    /** Closed cases (archived or awaiting archive) of these agencies, newest first: the register's record, no personal data. */
    closedCases(filter: { agencies: readonly string[]; limit?: number }) {
      if (filter.agencies.length === 0) return Promise.resolve([]);
      return db
        .selectFrom('gk_case')
        .select(['case_number', 'agency_code', 'received_on', 'stage', 'handler_id', 'outcome', 'report_row', 'reply_due', 'dispatched_on', 'closed_on'])
        .where('agency_code', 'in', [...filter.agencies])
        .where('stage', 'in', ['awaiting-archive', 'archived'])
        .orderBy('updated_at', 'desc')
        .orderBy('case_number', 'desc')
        .limit(filter.limit ?? 200)
        .execute();
    },

    auditTrail(caseNumber: string) {
      return db.selectFrom('gk_audit_event').selectAll().where('case_number', '=', caseNumber).orderBy('id').execute();
    },

    /** Earlier cases of the same applicant (Arts. 35, 36(6)), found by the HMAC of the ID document. */
    async casesOfApplicant(idDocument: IdDocumentRef): Promise<{ caseNumber: string; agencyCode: string; receivedOn: string | null; outcome: string | null }[]> {
      const rows = await db
        .selectFrom('gk_applicant_index')
        .innerJoin('gk_case', 'gk_case.case_number', 'gk_applicant_index.case_number')
        .select(['gk_case.case_number', 'gk_case.agency_code', 'gk_case.received_on', 'gk_case.outcome'])
        .where('gk_applicant_index.applicant_hmac', '=', applicantHmac(idDocument))
        .orderBy('gk_case.case_number')
        .execute();
      return rows.map((r) => ({ caseNumber: r.case_number, agencyCode: r.agency_code, receivedOn: r.received_on, outcome: r.outcome }));
    },

    /** Other cases of the applicant of `caseNumber` (same ID document) at the same agency. */
    async earlierCasesOfSameApplicant(caseNumber: string): Promise<string[]> {
      // Same agency only: Art. 36(6) concerns repeating a request to the same agency, and staff of one agency
      // have no business learning what the person asked of another.
      const rows = await db
        .selectFrom('gk_applicant_index as mine')
        .innerJoin('gk_case as this_case', 'this_case.case_number', 'mine.case_number')
        .innerJoin('gk_applicant_index as other', 'other.applicant_hmac', 'mine.applicant_hmac')
        .innerJoin('gk_case as other_case', 'other_case.case_number', 'other.case_number')
        .select('other.case_number')
        .where('mine.case_number', '=', caseNumber)
        .where('other.case_number', '!=', caseNumber)
        .whereRef('other_case.agency_code', '=', 'this_case.agency_code')
        .orderBy('other.case_number')
        .execute();
      return rows.map((r) => r.case_number);
    },

    /**
     * Reserves an email before it is sent. 'send' means go ahead (first time, or an earlier attempt never
     * confirmed); 'already-sent' and 'failed' (a permanent rejection) mean do not send again.
     */
    reserveEmail(input: EmailReservation): Promise<{ decision: 'send' | 'already-sent' | 'failed'; attempts: number }> {
      return withKeyRetry(store, async (trx) => {
        const row = await trx.selectFrom('gk_email_ledger').select(['status', 'attempts']).where('email_key', '=', input.key).executeTakeFirst();
        if (row?.status === 'sent') return { decision: 'already-sent', attempts: row.attempts };
        if (row?.status === 'failed') return { decision: 'failed', attempts: row.attempts };
        if (row) {
          await trx.updateTable('gk_email_ledger').set({ attempts: row.attempts + 1 }).where('email_key', '=', input.key).execute();
          return { decision: 'send', attempts: row.attempts + 1 };
        }
        await trx
          .insertInto('gk_email_ledger')
          .values({
            email_key: input.key,
            case_number: input.caseNumber,
            kind: input.kind,
            recipient: input.recipient,
            message_id: input.messageId,
            status: 'reserved',
            attempts: 1,
            last_error: null,
            reserved_at: input.at,
            sent_at: null,
          })
          .execute();
        return { decision: 'send', attempts: 1 };
      });
    },

    async markEmail(key: string, outcome: { status: 'sent'; at: string } | { status: 'failed'; error: string } | { status: 'reserved'; error: string }): Promise<void> {
      await db
        .updateTable('gk_email_ledger')
        .set(
          outcome.status === 'sent'
            ? { status: 'sent', sent_at: outcome.at, last_error: null }
            : { status: outcome.status, last_error: outcome.error.slice(0, 500) },
        )
        .where('email_key', '=', key)
        .where('status', '!=', 'sent')
        .execute();
    },

    emailLedger(filter: { caseNumber?: string } = {}) {
      let query = db.selectFrom('gk_email_ledger').selectAll().orderBy('reserved_at').orderBy('email_key');
      if (filter.caseNumber) query = query.where('case_number', '=', filter.caseNumber);
      return query.execute();
    },

    /** Review and suit records (annual report part 四), entered on closed cases; the same id again updates it. */
    async saveRemedyRecord(input: RemedyRecordInput): Promise<void> {
      await inWriteTransaction(store, async (trx) => {
        const closed = await trx.selectFrom('gk_case').select('closed_on').where('case_number', '=', input.caseNumber).executeTakeFirst();
        if (!closed) throw new RegisterError(`no case ${input.caseNumber}`);
        if (!closed.closed_on) throw new RegisterError(`case ${input.caseNumber} is not closed: review and suit records are entered on closed cases`);
        const owner = await trx.selectFrom('gk_remedy_record').select('case_number').where('record_id', '=', input.recordId).executeTakeFirst();
        if (owner && owner.case_number !== input.caseNumber) throw new RegisterError(`record ${input.recordId} belongs to another case`);
        const values = {
          case_number: input.caseNumber,
          kind: input.kind,
          after_review: input.afterReview ? 1 : 0,
          filed_on: input.filedOn,
          result: input.result,
          decided_on: input.decidedOn,
          entered_by: input.enteredBy,
          entered_at: input.enteredAt,
        };
        if (owner) await trx.updateTable('gk_remedy_record').set(values).where('record_id', '=', input.recordId).execute();
        else await trx.insertInto('gk_remedy_record').values({ record_id: input.recordId, ...values }).execute();
      });
    },

    remedyRecords(caseNumber: string) {
      return db.selectFrom('gk_remedy_record').selectAll().where('case_number', '=', caseNumber).orderBy('filed_on').execute();
    },

    /** Stores a year's holiday notice (validated by the caller); loading the same year again replaces it. */
    async saveHolidayNotice(input: { year: number; notice: unknown; digest: string; loadedBy: string; loadedAt: string }): Promise<void> {
      const values = { notice: JSON.stringify(input.notice), digest: input.digest, loaded_by: input.loadedBy, loaded_at: input.loadedAt };
      await db
        .insertInto('gk_holiday_calendar')
        .values({ year: input.year, ...values })
        .onConflict((oc) => oc.column('year').doUpdateSet(values))
        .execute();
    },

    async holidayNotices(): Promise<unknown[]> {
      const rows = await db.selectFrom('gk_holiday_calendar').select('notice').orderBy('year').execute();
      return rows.map((r) => JSON.parse(r.notice) as unknown);
    },
  };
}

export type Register = ReturnType<typeof createRegister>;
