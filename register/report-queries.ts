import type { Register } from './register';

// What the annual report reads from the register: case dates, applicant columns and report rows, and the review and
// suit records of those cases. Plain columns only; no sealed blob is opened, so no personal data is read.

export interface ReportCaseRecord {
  caseNumber: string;
  agencyCode: string;
  applicantColumn: string;
  stage: string;
  receivedOn: string | null;
  dispatchedOn: string | null;
  closedOn: string | null;
  reportRow: string | null;
}

export interface ReportRemedyRow {
  recordId: string;
  caseNumber: string;
  kind: string;
  afterReview: boolean;
  filedOn: string;
  result: string;
  decidedOn: string | null;
}

export interface ReportData {
  cases: ReportCaseRecord[];
  remedyRecords: ReportRemedyRow[];
}

/**
 * Every case of one agency (or of all, `agencyCode` null) with its remedy records. All years are read, not only the
 * report's: a case dated into the wrong year must reach the identity check rather than drop out of the query.
 */
export async function annualReportData(register: Pick<Register, 'store'>, filter: { agencyCode: string | null }): Promise<ReportData> {
  const { db } = register.store;
  let cases = db
    .selectFrom('gk_case')
    .select(['case_number', 'agency_code', 'applicant_column', 'stage', 'received_on', 'dispatched_on', 'closed_on', 'report_row'])
    .orderBy('case_number');
  let remedies = db
    .selectFrom('gk_remedy_record')
    .innerJoin('gk_case', 'gk_case.case_number', 'gk_remedy_record.case_number')
    .select([
      'gk_remedy_record.record_id',
      'gk_remedy_record.case_number',
      'gk_remedy_record.kind',
      'gk_remedy_record.after_review',
      'gk_remedy_record.filed_on',
      'gk_remedy_record.result',
      'gk_remedy_record.decided_on',
    ])
    .orderBy('gk_remedy_record.record_id');
  if (filter.agencyCode !== null) {
    cases = cases.where('agency_code', '=', filter.agencyCode);
    remedies = remedies.where('gk_case.agency_code', '=', filter.agencyCode);
  }
  const [caseRows, remedyRows] = await Promise.all([cases.execute(), remedies.execute()]);
  return {
    cases: caseRows.map((r) => ({
      caseNumber: r.case_number,
      agencyCode: r.agency_code,
      applicantColumn: r.applicant_column,
      stage: r.stage,
      receivedOn: r.received_on,
      dispatchedOn: r.dispatched_on,
      closedOn: r.closed_on,
      reportRow: r.report_row,
    })),
    remedyRecords: remedyRows.map((r) => ({
      recordId: r.record_id,
      caseNumber: r.case_number,
      kind: r.kind,
      // PostgreSQL may hand back the integer flag as a number or a string.
      afterReview: Number(r.after_review) === 1,
      filedOn: r.filed_on,
      result: r.result,
      decidedOn: r.decided_on,
    })),
  };
}
