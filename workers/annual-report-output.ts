import { Workbook } from 'exceljs';
import {
  type AnnualReport,
  annualReport,
  annualReportCsv,
  DEFAULT_REMEDY_YEAR_BASIS,
  DEFAULT_RESULT_DATE_BASIS,
  REMEDY_COUNT_COLUMNS,
  REMEDY_GROUP_LABELS,
  REMEDY_GROUPS,
  type RemedyYearBasis,
  type ResultDateBasis,
  resultDateOf,
  TABLE_FOUR_TITLE,
  TABLE_THREE_LABEL_COLUMNS,
  TABLE_THREE_TITLE,
  tableFourGrid,
  tableThreeGrid,
  tableThreeRowLabels,
} from '../domain/annual-report';
import { REPORT_COLUMNS, REPORT_ROW_DEFINITIONS, REPORT_ROWS, reportRowFullLabel } from '../domain/report-rows';
import { InvalidInputError } from '../domain/validation';
import type { Register } from '../register';
import { annualReportData } from '../register/report-queries';

// The annual report (国办公开办函〔2021〕30号) from the register — tables 三 and 四 as CSV, XLSX or JSON — for
// `gongkai report annual` and the web app's report page. Reads the register only; Temporal need not be running.

export const REPORT_FORMATS = ['csv', 'xlsx', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface AnnualReportRequest {
  year: number;
  /** One agency, or null for all agencies together. */
  agencyCode: string | null;
  /** The configured agencies: any other `agencyCode` is refused. */
  knownAgencies: readonly string[];
  resultDateBasis?: ResultDateBasis;
  remedyYearBasis?: RemedyYearBasis;
}

/** Reads the register and computes the report; refuses an unknown agency and a table that fails its identity. */
export async function buildAnnualReport(register: Pick<Register, 'store'>, request: AnnualReportRequest): Promise<AnnualReport> {
  if (request.agencyCode !== null && !request.knownAgencies.includes(request.agencyCode)) {
    throw new InvalidInputError('Annual report', [
      { field: '--agency', label: '机关', message: `未配置此机关 / not a configured agency (configured: ${request.knownAgencies.join(', ')})` },
    ]);
  }
  const resultDateBasis = request.resultDateBasis ?? DEFAULT_RESULT_DATE_BASIS;
  const data = await annualReportData(register, { agencyCode: request.agencyCode });
  return annualReport({
    year: request.year,
    agencyCode: request.agencyCode,
    resultDateBasis,
    remedyYearBasis: request.remedyYearBasis ?? DEFAULT_REMEDY_YEAR_BASIS,
    cases: data.cases.map((c) => ({
      caseNumber: c.caseNumber,
      agencyCode: c.agencyCode,
      applicantColumn: c.applicantColumn,
      receivedOn: c.receivedOn,
      resultOn: resultDateOf(c, resultDateBasis),
      reportRow: c.reportRow,
    })),
    remedyRecords: data.remedyRecords,
  });
}

/** The report as JSON: every cell with the case numbers (or record ids) it counts. */
export function annualReportJson(report: AnnualReport): unknown {
  return {
    year: report.year,
    agencyCode: report.agencyCode,
    resultDateBasis: report.resultDateBasis,
    remedyYearBasis: report.remedyYearBasis,
    tableThree: {
      title: TABLE_THREE_TITLE,
      rows: REPORT_ROWS.map((code) => ({
        code,
        label: REPORT_ROW_DEFINITIONS[code].label,
        fullLabel: reportRowFullLabel(code),
        values: report.tableThree.cells[code],
        caseNumbers: report.tableThree.cases[code],
      })),
      notReceived: report.tableThree.notReceived,
    },
    tableFour: {
      title: TABLE_FOUR_TITLE,
      groups: REMEDY_GROUPS.map((group) => ({
        group,
        label: [REMEDY_GROUP_LABELS[group].parent, REMEDY_GROUP_LABELS[group].label].filter(Boolean).join(' > '),
        values: report.tableFour.cells[group],
        recordIds: report.tableFour.records[group],
      })),
    },
  };
}

const column = (index: number): string => String.fromCharCode('A'.charCodeAt(0) + index);

/** The report as an XLSX workbook: one sheet per table, headers as printed, parent cells merged. */
export async function annualReportXlsx(report: AnnualReport): Promise<Buffer> {
  const workbook = new Workbook();
  const scope = report.agencyCode ?? '全部机关';

  const three = workbook.addWorksheet(TABLE_THREE_TITLE);
  three.addRow([`${TABLE_THREE_TITLE}（${report.year}年度，${scope}）`]);
  for (const row of tableThreeGrid(report.tableThree)) three.addRow(row);
  const lastColumn = column(TABLE_THREE_LABEL_COLUMNS + REPORT_COLUMNS.length - 1);
  three.mergeCells(`A1:${lastColumn}1`);
  three.mergeCells('A2:C4'); // the identity note
  three.mergeCells(`D2:${lastColumn}2`); // 申请人情况
  three.mergeCells('D3:D4'); // 自然人
  three.mergeCells('E3:I3'); // 法人或其他组织
  three.mergeCells(`${lastColumn}3:${lastColumn}4`); // 总计
  const firstDataRow = 5;
  REPORT_ROWS.forEach((code, i) => {
    const depth = REPORT_ROW_DEFINITIONS[code].parents.length;
    const r = firstDataRow + i;
    if (depth === 0) three.mergeCells(`A${r}:C${r}`);
    if (depth === 1) three.mergeCells(`B${r}:C${r}`);
  });
  // Vertical merges: runs of rows under the same parent (三、本年度办理结果 in A; （三）不予公开 etc. in B).
  for (const [labelIndex, minDepth] of [[0, 1], [1, 2]] as const) {
    let start = 0;
    for (let i = 1; i <= REPORT_ROWS.length; i++) {
      const label = (k: number) => {
        const code = REPORT_ROWS[k];
        return code !== undefined && REPORT_ROW_DEFINITIONS[code].parents.length >= minDepth ? tableThreeRowLabels(code)[labelIndex] : undefined;
      };
      if (i < REPORT_ROWS.length && label(i) !== undefined && label(i) === label(start)) continue;
      if (label(start) !== undefined && i - 1 > start) three.mergeCells(`${column(labelIndex)}${firstDataRow + start}:${column(labelIndex)}${firstDataRow + i - 1}`);
      start = i;
    }
  }
  three.getColumn(1).width = 20;
  three.getColumn(2).width = 18;
  three.getColumn(3).width = 40;
  three.eachRow((row) => row.eachCell((cell) => (cell.alignment = { wrapText: true, vertical: 'middle' })));

  const four = workbook.addWorksheet(TABLE_FOUR_TITLE);
  four.addRow([`${TABLE_FOUR_TITLE}（${report.year}年度，${scope}）`]);
  for (const row of tableFourGrid(report.tableFour)) four.addRow(row);
  const lastFour = column(REMEDY_GROUPS.length * REMEDY_COUNT_COLUMNS.length - 1);
  four.mergeCells(`A1:${lastFour}1`);
  four.mergeCells('A2:E3'); // 行政复议
  four.mergeCells(`F2:${lastFour}2`); // 行政诉讼
  four.mergeCells('F3:J3'); // 未经复议直接起诉
  four.mergeCells(`K3:${lastFour}3`); // 复议后起诉

  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function renderAnnualReport(report: AnnualReport, format: ReportFormat): Promise<Buffer> {
  if (format === 'xlsx') return annualReportXlsx(report);
  if (format === 'json') return Buffer.from(`${JSON.stringify(annualReportJson(report), null, 2)}\n`);
  return Buffer.from(annualReportCsv(report));
}
