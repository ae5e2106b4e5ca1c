// Annual-report table 三 "收到和处理政府信息公开申请情况" (国办公开办函〔2021〕30号; legal.md §3).
// The table's row codes are the outcome taxonomy's reporting keys: every closed case lands in exactly one
// result row. Labels are the printed cell texts; their exact punctuation is secondary-sourced (legal.md §3).

/** The 7 data columns (申请人情况), in printed order; the last is the row total. */
export const REPORT_COLUMNS = [
  'natural-person',
  'commercial-enterprise',
  'research-institution',
  'public-welfare-organisation',
  'legal-service-institution',
  'other-organisation',
  'total',
] as const;
export type ReportColumn = (typeof REPORT_COLUMNS)[number];

export interface ReportColumnDefinition {
  label: string;
  /** The merged header cell above the column, if any. */
  parent: string | null;
}

export const REPORT_COLUMN_DEFINITIONS: Record<ReportColumn, ReportColumnDefinition> = {
  'natural-person': { label: '自然人', parent: null },
  'commercial-enterprise': { label: '商业企业', parent: '法人或其他组织' },
  'research-institution': { label: '科研机构', parent: '法人或其他组织' },
  'public-welfare-organisation': { label: '社会公益组织', parent: '法人或其他组织' },
  'legal-service-institution': { label: '法律服务机构', parent: '法人或其他组织' },
  'other-organisation': { label: '其他', parent: '法人或其他组织' },
  total: { label: '总计', parent: null },
};

/** Text of the table's top-left header cell, as printed. */
export const REPORT_TABLE_HEADER_NOTE = '（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）';

/** The 25 data rows, in printed order. */
export const REPORT_ROWS = [
  '一',
  '二',
  '三.1',
  '三.2',
  '三.3.1',
  '三.3.2',
  '三.3.3',
  '三.3.4',
  '三.3.5',
  '三.3.6',
  '三.3.7',
  '三.3.8',
  '三.4.1',
  '三.4.2',
  '三.4.3',
  '三.5.1',
  '三.5.2',
  '三.5.3',
  '三.5.4',
  '三.5.5',
  '三.6.1',
  '三.6.2',
  '三.6.3',
  '三.7',
  '四',
] as const;
export type ReportRowCode = (typeof REPORT_ROWS)[number];

/**
 * What a row counts. Only `result` rows receive a case outcome; the others are filled from case dates
 * (intake year, carry-over) or are sums.
 */
export type ReportRowKind = 'intake' | 'carried-over' | 'result' | 'total' | 'carried-forward';

export interface ReportRowDefinition {
  /** The cell text as printed, with its numbering. */
  label: string;
  /** Labels of the merged cells to its left, outermost first. */
  parents: readonly string[];
  kind: ReportRowKind;
}

const RESULTS = '三、本年度办理结果';
const WITHHELD = '（三）不予公开';
const CANNOT_PROVIDE = '（四）无法提供';
const NOT_PROCESSED = '（五）不予处理';
const OTHER_HANDLING = '（六）其他处理';

const result = (label: string, ...group: string[]): ReportRowDefinition => ({
  label,
  parents: [RESULTS, ...group],
  kind: 'result',
});

export const REPORT_ROW_DEFINITIONS: Record<ReportRowCode, ReportRowDefinition> = {
  一: { label: '一、本年新收政府信息公开申请数量', parents: [], kind: 'intake' },
  二: { label: '二、上年结转政府信息公开申请数量', parents: [], kind: 'carried-over' },
  '三.1': result('（一）予以公开'),
  '三.2': result('（二）部分公开（区分处理的，只计这一情形，不计其他情形）'),
  '三.3.1': result('1.属于国家秘密', WITHHELD),
  '三.3.2': result('2.其他法律行政法规禁止公开', WITHHELD),
  '三.3.3': result('3.危及“三安全一稳定”', WITHHELD),
  '三.3.4': result('4.保护第三方合法权益', WITHHELD),
  '三.3.5': result('5.属于三类内部事务信息', WITHHELD),
  '三.3.6': result('6.属于四类过程性信息', WITHHELD),
  '三.3.7': result('7.属于行政执法案卷', WITHHELD),
  '三.3.8': result('8.属于行政查询事项', WITHHELD),
  '三.4.1': result('1.本机关不掌握相关政府信息', CANNOT_PROVIDE),
  '三.4.2': result('2.没有现成信息需要另行制作', CANNOT_PROVIDE),
  '三.4.3': result('3.补正后申请内容仍不明确', CANNOT_PROVIDE),
  '三.5.1': result('1.信访举报投诉类申请', NOT_PROCESSED),
  '三.5.2': result('2.重复申请', NOT_PROCESSED),
  '三.5.3': result('3.要求提供公开出版物', NOT_PROCESSED),
  '三.5.4': result('4.无正当理由大量反复申请', NOT_PROCESSED),
  '三.5.5': result('5.要求行政机关确认或重新出具已获取信息', NOT_PROCESSED),
  '三.6.1': result('1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请', OTHER_HANDLING),
  '三.6.2': result('2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请', OTHER_HANDLING),
  '三.6.3': result('3.其他', OTHER_HANDLING),
  '三.7': { label: '（七）总计', parents: [RESULTS], kind: 'total' },
  四: { label: '四、结转下年度继续办理', parents: [], kind: 'carried-forward' },
};

/** The 21 rows a case outcome can be reported in (三.1 … 三.6.3; 三.7 is their sum). */
export type ResultRowCode = Exclude<ReportRowCode, '一' | '二' | '三.7' | '四'>;
export const RESULT_ROWS: readonly ResultRowCode[] = REPORT_ROWS.filter(
  (code): code is ResultRowCode => REPORT_ROW_DEFINITIONS[code].kind === 'result',
);

export function isResultRow(code: string): code is ResultRowCode {
  return (RESULT_ROWS as readonly string[]).includes(code);
}

/** "三、本年度办理结果 > （三）不予公开 > 1.属于国家秘密": the row's label with its merged parents, for screens and exports. */
export function reportRowFullLabel(code: ReportRowCode): string {
  const row = REPORT_ROW_DEFINITIONS[code];
  return [...row.parents, row.label].join(' > ');
}
