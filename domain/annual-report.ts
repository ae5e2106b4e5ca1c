import { z } from 'zod';
import { APPLICANT_REPORT_COLUMNS } from './application';
import { type IsoDate, isoDateSchema } from './dates';
import {
  REPORT_COLUMN_DEFINITIONS,
  REPORT_COLUMNS,
  REPORT_ROW_DEFINITIONS,
  REPORT_ROWS,
  REPORT_TABLE_HEADER_NOTE,
  RESULT_ROWS,
  type ReportColumn,
  type ReportRowCode,
  type ResultRowCode,
  isResultRow,
} from './report-rows';
import { type FieldProblem, InvalidInputError, parseOrThrow } from './validation';

// The annual report's tables 三 "收到和处理政府信息公开申请情况" and 四 "政府信息公开行政复议、行政诉讼情况"
// (国办公开办函〔2021〕30号; legal.md §3), computed from the register's case dates. Pure: the register query and
// the file formats live elsewhere (register/report-queries.ts, cli/report.ts).

// ---- Which date counts (legal.md §3.4 is DERIVED, so both choices are options) ---------------------------------

/**
 * Which register date puts a case's result (三.x) in a year. legal.md §3.4 (DERIVED, not a printed rule): "by closure
 * date". The reply is what ends processing (the reply's made date, 国办公开办函〔2016〕235号), so the default takes
 * the reply's dispatch and falls back to the archive date for cases that end without a reply (e.g. 视为放弃).
 * `closure` counts the archive date only, for offices that read "办结" as the file being closed.
 */
export const RESULT_DATE_BASES = ['reply-or-closure', 'closure'] as const;
export type ResultDateBasis = (typeof RESULT_DATE_BASES)[number];
export const DEFAULT_RESULT_DATE_BASIS: ResultDateBasis = 'reply-or-closure';

/** The date a case's result counts on, or null while it has none. */
export function resultDateOf(dates: { dispatchedOn: IsoDate | null; closedOn: IsoDate | null }, basis: ResultDateBasis = DEFAULT_RESULT_DATE_BASIS): IsoDate | null {
  return basis === 'closure' ? dates.closedOn : (dates.dispatchedOn ?? dates.closedOn);
}

/**
 * Which review and suit records table 四 of a year counts; the printed table gives no counting note (legal.md §3.3,
 * [S]), so UNCONFIRMED. `filed` (default): those filed in the year, with their result as known at the year's end
 * (not decided by then: 尚未审结). `decided`: those decided in the year by result, plus those filed by the year's
 * end and not decided by then as 尚未审结.
 */
export const REMEDY_YEAR_BASES = ['filed', 'decided'] as const;
export type RemedyYearBasis = (typeof REMEDY_YEAR_BASES)[number];
export const DEFAULT_REMEDY_YEAR_BASIS: RemedyYearBasis = 'filed';

export interface AnnualReportOptions {
  year: number;
  remedyYearBasis?: RemedyYearBasis;
}

// ---- Input -----------------------------------------------------------------------------------------------------

const caseNumberSchema = z.string().min(1).max(64);

export const reportCaseSchema = z.strictObject({
  caseNumber: caseNumberSchema,
  agencyCode: z.string().min(1),
  applicantColumn: z.enum(APPLICANT_REPORT_COLUMNS),
  /** T0; null while the receipt awaits confirmation (Art. 31): such a case is not counted. */
  receivedOn: isoDateSchema.nullable(),
  /** The date the result counts on (`resultDateOf`); null while the case is open. */
  resultOn: isoDateSchema.nullable(),
  reportRow: z
    .string()
    .refine(isResultRow, '应为三.1至三.6.3之一 / expected a result row 三.1 … 三.6.3')
    .nullable(),
});
export type ReportCase = Omit<z.output<typeof reportCaseSchema>, 'reportRow'> & { reportRow: ResultRowCode | null };

export const REMEDY_RESULTS = ['upheld', 'corrected', 'other', 'pending'] as const;
export type RemedyResult = (typeof REMEDY_RESULTS)[number];

export const reportRemedyRecordSchema = z
  .strictObject({
    recordId: z.string().min(1),
    caseNumber: caseNumberSchema,
    kind: z.enum(['review', 'suit']),
    /** Suits only: brought after a review decision (复议后起诉). Ignored for reviews. */
    afterReview: z.boolean(),
    filedOn: isoDateSchema,
    result: z.enum(REMEDY_RESULTS),
    decidedOn: isoDateSchema.nullable(),
  })
  .superRefine((record, ctx) => {
    if (record.result !== 'pending' && record.decidedOn === null) {
      ctx.addIssue({ code: 'custom', path: ['decidedOn'], message: '已有结果的须填审结日期 / a decided record needs its decision date' });
    }
    if (record.result === 'pending' && record.decidedOn !== null) {
      ctx.addIssue({ code: 'custom', path: ['result'], message: '有审结日期的不能为尚未审结 / a record with a decision date cannot be pending' });
    }
    if (record.decidedOn !== null && record.decidedOn < record.filedOn) {
      ctx.addIssue({ code: 'custom', path: ['decidedOn'], message: '审结日期早于立案日期 / decided before it was filed' });
    }
  });
export type ReportRemedyRecord = z.output<typeof reportRemedyRecordSchema>;

// ---- Table 三 ----------------------------------------------------------------------------------------------------

export type TableThreeCells = Record<ReportRowCode, Record<ReportColumn, number>>;
/** The case numbers each cell counts (no personal data): the report's working papers. */
export type TableThreeCases = Record<ReportRowCode, Record<ReportColumn, string[]>>;

export interface IdentityFailure {
  column: ReportColumn;
  /** 一 + 二 */
  received: number;
  /** 三.7 + 四 */
  accounted: number;
}

/** The table's identity 一 + 二 = 三.7 + 四 fails in these columns: the register is inconsistent, the table is refused. */
export class AnnualReportIdentityError extends InvalidInputError {
  constructor(
    readonly year: number,
    readonly failures: IdentityFailure[],
    /** Cases whose dates cannot both hold (a result before receipt, a result without a row): where to look first. */
    readonly suspectCases: string[],
  ) {
    const problems: FieldProblem[] = failures.map((f) => ({
      field: `columns.${f.column}`,
      label: REPORT_COLUMN_DEFINITIONS[f.column].label,
      message: `一+二 = ${f.received} ≠ 三.7+四 = ${f.accounted}：勾稽关系不成立 / identity 一+二 = 三.7+四 fails`,
    }));
    if (suspectCases.length > 0) {
      problems.push({ field: 'cases', message: `日期或结果行不一致的案件 / inconsistent cases: ${suspectCases.join(', ')}` });
    }
    super(`Annual report ${year}, table 三`, problems);
  }
}

function emptyGrid<T>(make: () => T): Record<ReportRowCode, Record<ReportColumn, T>> {
  return Object.fromEntries(
    REPORT_ROWS.map((row) => [row, Object.fromEntries(REPORT_COLUMNS.map((column) => [column, make()]))]),
  ) as Record<ReportRowCode, Record<ReportColumn, T>>;
}

/** The rows of table 三 a case falls in for `year`: 一/二 by T0, 三.x by its result date, 四 when still open at the year's end. */
function rowsOfCase(c: ReportCase, first: IsoDate, last: IsoDate): ReportRowCode[] {
  if (c.receivedOn === null) return [];
  const rows: ReportRowCode[] = [];
  if (c.receivedOn >= first && c.receivedOn <= last) rows.push('一');
  if (c.receivedOn < first && (c.resultOn === null || c.resultOn >= first)) rows.push('二');
  // Counted whatever the receipt date: a result the intake rows do not explain is what the identity must catch.
  if (c.resultOn !== null && c.resultOn >= first && c.resultOn <= last && c.reportRow !== null) rows.push(c.reportRow, '三.7');
  if (c.receivedOn <= last && (c.resultOn === null || c.resultOn > last)) rows.push('四');
  return rows;
}

function suspectCasesOf(cases: readonly ReportCase[]): string[] {
  return cases
    .filter((c) => c.receivedOn !== null && c.resultOn !== null && (c.resultOn < c.receivedOn || c.reportRow === null))
    .map((c) => c.caseNumber)
    .sort();
}

export interface TableThree {
  cells: TableThreeCells;
  cases: TableThreeCases;
  /** Cases left out because their receipt date (T0) is not confirmed. */
  notReceived: string[];
}

/** Table 三 for `year`; throws AnnualReportIdentityError unless 一 + 二 = 三.7 + 四 in every column. */
export function tableThree(input: readonly unknown[], year: number): TableThree {
  const cases = parseOrThrow(z.array(reportCaseSchema), input, 'Annual report cases') as ReportCase[];
  const first = `${year}-01-01`;
  const last = `${year}-12-31`;
  const cells = emptyGrid(() => 0);
  const caseNumbers = emptyGrid<string[]>(() => []);
  for (const c of cases) {
    for (const row of rowsOfCase(c, first, last)) {
      for (const column of [c.applicantColumn, 'total'] as const) {
        cells[row][column] += 1;
        caseNumbers[row][column].push(c.caseNumber);
      }
    }
  }
  for (const row of REPORT_ROWS) for (const column of REPORT_COLUMNS) caseNumbers[row][column].sort();
  const failures = identityFailures(cells);
  if (failures.length > 0) throw new AnnualReportIdentityError(year, failures, suspectCasesOf(cases));
  const notReceived = cases.filter((c) => c.receivedOn === null).map((c) => c.caseNumber).sort();
  return { cells, cases: caseNumbers, notReceived };
}

/** The columns where 一 + 二 ≠ 三.7 + 四, and 三.7 ≠ the sum of 三.1 … 三.6.3. */
export function identityFailures(cells: TableThreeCells): IdentityFailure[] {
  return REPORT_COLUMNS.flatMap((column): IdentityFailure[] => {
    const received = cells['一'][column] + cells['二'][column];
    const results = RESULT_ROWS.reduce((sum, row) => sum + cells[row][column], 0);
    const accounted = cells['三.7'][column] + cells['四'][column];
    return received === accounted && results === cells['三.7'][column] ? [] : [{ column, received, accounted }];
  });
}

// ---- Table 四 ----------------------------------------------------------------------------------------------------

export const REMEDY_GROUPS = ['review', 'suit-direct', 'suit-after-review'] as const;
export type RemedyGroup = (typeof REMEDY_GROUPS)[number];
export const REMEDY_COUNT_COLUMNS = ['upheld', 'corrected', 'other', 'pending', 'total'] as const;
export type RemedyCountColumn = (typeof REMEDY_COUNT_COLUMNS)[number];

export const REMEDY_GROUP_LABELS: Record<RemedyGroup, { label: string; parent: string | null }> = {
  review: { label: '行政复议', parent: null },
  'suit-direct': { label: '未经复议直接起诉', parent: '行政诉讼' },
  'suit-after-review': { label: '复议后起诉', parent: '行政诉讼' },
};
export const REMEDY_COUNT_LABELS: Record<RemedyCountColumn, string> = {
  upheld: '结果维持',
  corrected: '结果纠正',
  other: '其他结果',
  pending: '尚未审结',
  total: '总计',
};

export type TableFourCells = Record<RemedyGroup, Record<RemedyCountColumn, number>>;
export interface TableFour {
  cells: TableFourCells;
  /** The record ids each cell counts. */
  records: Record<RemedyGroup, Record<RemedyCountColumn, string[]>>;
}

const groupOf = (r: ReportRemedyRecord): RemedyGroup => (r.kind === 'review' ? 'review' : r.afterReview ? 'suit-after-review' : 'suit-direct');

/** Table 四 for `year`; which records count is `basis` (see REMEDY_YEAR_BASES). */
export function tableFour(input: readonly unknown[], year: number, basis: RemedyYearBasis = DEFAULT_REMEDY_YEAR_BASIS): TableFour {
  const records = parseOrThrow(z.array(reportRemedyRecordSchema), input, 'Annual report review and suit records');
  const first = `${year}-01-01`;
  const last = `${year}-12-31`;
  const grid = <T>(make: () => T) =>
    Object.fromEntries(REMEDY_GROUPS.map((g) => [g, Object.fromEntries(REMEDY_COUNT_COLUMNS.map((c) => [c, make()]))])) as Record<RemedyGroup, Record<RemedyCountColumn, T>>;
  const cells = grid(() => 0);
  const ids = grid<string[]>(() => []);
  for (const r of records) {
    const decidedByYearEnd = r.decidedOn !== null && r.decidedOn <= last;
    const counted = basis === 'filed' ? r.filedOn >= first && r.filedOn <= last : r.filedOn <= last && (!decidedByYearEnd || (r.decidedOn as IsoDate) >= first);
    if (!counted) continue;
    const column: RemedyCountColumn = decidedByYearEnd && r.result !== 'pending' ? r.result : 'pending';
    for (const c of [column, 'total'] as const) {
      cells[groupOf(r)][c] += 1;
      ids[groupOf(r)][c].push(r.recordId);
    }
  }
  for (const g of REMEDY_GROUPS) for (const c of REMEDY_COUNT_COLUMNS) ids[g][c].sort();
  return { cells, records: ids };
}

// ---- The report -------------------------------------------------------------------------------------------------

export interface AnnualReport {
  year: number;
  /** The agency reported on, or null for all agencies together. */
  agencyCode: string | null;
  resultDateBasis: ResultDateBasis;
  remedyYearBasis: RemedyYearBasis;
  tableThree: TableThree;
  tableFour: TableFour;
}

export interface AnnualReportInput {
  year: number;
  agencyCode: string | null;
  resultDateBasis: ResultDateBasis;
  remedyYearBasis: RemedyYearBasis;
  cases: readonly unknown[];
  remedyRecords: readonly unknown[];
}

export const reportYearSchema = z.number().int().min(2008).max(2100);

export function annualReport(input: AnnualReportInput): AnnualReport {
  const year = parseOrThrow(reportYearSchema, input.year, 'Annual report year');
  return {
    year,
    agencyCode: input.agencyCode,
    resultDateBasis: input.resultDateBasis,
    remedyYearBasis: input.remedyYearBasis,
    tableThree: tableThree(input.cases, year),
    tableFour: tableFour(input.remedyRecords, year, input.remedyYearBasis),
  };
}

// ---- Printed layout (for CSV and spreadsheets) -------------------------------------------------------------------

export const TABLE_THREE_TITLE = '三、收到和处理政府信息公开申请情况';
export const TABLE_FOUR_TITLE = '四、政府信息公开行政复议、行政诉讼情况';
/** Label columns left of the numbers in table 三: up to three nested labels (三、 > （三） > 1.). */
export const TABLE_THREE_LABEL_COLUMNS = 3;

export type Cell = string | number;

/** Table 三's three header rows as printed; a merged cell's text is in its first cell, the rest empty. */
export function tableThreeHeaderRows(): Cell[][] {
  const pad = ['', ''];
  return [
    [REPORT_TABLE_HEADER_NOTE, ...pad, '申请人情况', ...REPORT_COLUMNS.slice(1).map(() => '')],
    ['', ...pad, ...REPORT_COLUMNS.map((c, i) => {
      const { label, parent } = REPORT_COLUMN_DEFINITIONS[c];
      if (parent === null) return label;
      return REPORT_COLUMNS.findIndex((other) => REPORT_COLUMN_DEFINITIONS[other].parent === parent) === i ? parent : '';
    })],
    ['', ...pad, ...REPORT_COLUMNS.map((c) => (REPORT_COLUMN_DEFINITIONS[c].parent === null ? '' : REPORT_COLUMN_DEFINITIONS[c].label))],
  ];
}

/** The three label cells of a row: its parents then its label, left-aligned (一: ['一、…', '', '']). */
export function tableThreeRowLabels(row: ReportRowCode): [string, string, string] {
  const { parents, label } = REPORT_ROW_DEFINITIONS[row];
  const labels = [...parents, label];
  return [labels[0] ?? '', labels[1] ?? '', labels[2] ?? ''];
}

/** Table 三 as printed: header rows, then the 25 data rows (label cells, then the 7 columns). */
export function tableThreeGrid(table: TableThree): Cell[][] {
  return [...tableThreeHeaderRows(), ...REPORT_ROWS.map((row) => [...tableThreeRowLabels(row), ...REPORT_COLUMNS.map((c) => table.cells[row][c])])];
}

/** Table 四 as printed: three header rows and one row of 15 numbers. */
export function tableFourGrid(table: TableFour): Cell[][] {
  const blanks = (n: number) => Array.from({ length: n }, () => '');
  return [
    ['行政复议', ...blanks(4), '行政诉讼', ...blanks(9)],
    ['', ...blanks(4), REMEDY_GROUP_LABELS['suit-direct'].label, ...blanks(4), REMEDY_GROUP_LABELS['suit-after-review'].label, ...blanks(4)],
    REMEDY_GROUPS.flatMap(() => REMEDY_COUNT_COLUMNS.map((c) => REMEDY_COUNT_LABELS[c])),
    REMEDY_GROUPS.flatMap((g) => REMEDY_COUNT_COLUMNS.map((c) => table.cells[g][c])),
  ];
}

const csvField = (cell: Cell): string => {
  const text = String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** Both tables in one CSV (CRLF, with a byte-order mark so that Excel reads the Chinese as UTF-8). */
export function annualReportCsv(report: AnnualReport): string {
  const scope = report.agencyCode ?? '全部机关';
  const rows: Cell[][] = [
    [`${report.year}年度政府信息公开工作年度报告（${scope}）`],
    [TABLE_THREE_TITLE],
    ...tableThreeGrid(report.tableThree),
    [],
    [TABLE_FOUR_TITLE],
    ...tableFourGrid(report.tableFour),
  ];
  return `\uFEFF${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
