import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Workbook } from 'exceljs';
import { reportRowOf, type Outcome } from '../../domain/outcomes';
import { REPORT_COLUMNS, type ReportRowCode } from '../../domain/report-rows';
import { buildAnnualReport, renderAnnualReport } from '../../workers/annual-report-output';
import type { Register } from '../../register';
import { gongkai, type StackEnv } from '../helpers/local-stack';
import { createTestStore, randomSubmissionId, type TestStore } from '../helpers/register';

// The annual report from a real register (SQLite), through the real CLI (`bin/gongkai.js report annual` in its own
// process, pointed at the register by GONGKAI_DATA_DIR; it needs no Temporal server). Cases are registered and closed
// with the register calls and fields the workflow uses.

let store: TestStore;
let register: Register;
let stack: StackEnv;
const numbers: Record<string, string> = {};

interface Seed {
  name: string;
  agency: string;
  column: string;
  receivedOn: string | null;
  outcome?: Outcome;
  dispatchedOn?: string;
  closedOn?: string;
}

async function seed(s: Seed, target: Register = register): Promise<void> {
  const year = Number((s.receivedOn ?? '2026').slice(0, 4));
  const { caseNumber } = await target.registerCase({
    agencyCode: s.agency,
    submissionId: randomSubmissionId(),
    registeredAt: `${s.receivedOn ?? '2026-12-01'}T01:00:00.000Z`,
    registrationYear: year,
    receivedOn: s.receivedOn,
    channel: 'in-person',
    applicantColumn: s.column,
    stage: s.receivedOn === null ? 'awaiting-confirmation' : 'registered',
    actorId: 'registrar.li',
    application: { applicant: { name: '王小明' } },
    idDocument: { kind: 'resident-id-card', number: '11010519491231002X' },
  });
  numbers[s.name] = caseNumber;
  if (s.outcome) {
    await target.recordCaseEvent({
      caseNumber,
      eventKey: `${caseNumber}:outcome`,
      at: `${s.dispatchedOn ?? s.closedOn}T02:00:00.000Z`,
      actorId: 'handler.wang',
      action: s.dispatchedOn ? 'record-dispatch' : 'end-processing',
      changes: { stage: 'awaiting-archive', outcome: s.outcome, report_row: reportRowOf(s.outcome), dispatched_on: s.dispatchedOn ?? null },
    });
  }
  if (s.closedOn) {
    await target.archiveCase({
      caseNumber,
      eventKey: `${caseNumber}:archive`,
      at: `${s.closedOn}T03:00:00.000Z`,
      actorId: 'handler.wang',
      action: 'archive',
      changes: { stage: 'archived', closed_on: s.closedOn },
      caseFile: { documents: [] },
    });
  }
}

beforeAll(async () => {
  store = await createTestStore('sqlite');
  register = await store.open();
  const zfb = 'LYG-ZFB';
  // Expected cells for LYG-ZFB 2026, by hand: Z1 二 三.2 | Z2 一 三.1 | Z3 一 三.3.1 | Z4 一 三.6.1 | Z5 一 三.4.1
  // (reply dispatched 12-30, archived 2027) | Z6 一 四 | Z7 2025 only | Z8 never received.
  await seed({ name: 'Z1', agency: zfb, column: 'natural-person', receivedOn: '2025-12-22', outcome: 'partially-disclosed', dispatchedOn: '2026-01-09', closedOn: '2026-01-12' });
  await seed({ name: 'Z2', agency: zfb, column: 'commercial-enterprise', receivedOn: '2026-03-02', outcome: 'disclosed', dispatchedOn: '2026-03-20', closedOn: '2026-03-23' });
  await seed({ name: 'Z3', agency: zfb, column: 'research-institution', receivedOn: '2026-04-01', outcome: 'withheld-state-secret', dispatchedOn: '2026-04-20', closedOn: '2026-04-21' });
  await seed({ name: 'Z4', agency: zfb, column: 'public-welfare-organisation', receivedOn: '2026-05-06', outcome: 'not-corrected', closedOn: '2026-06-01' });
  await seed({ name: 'Z5', agency: zfb, column: 'legal-service-institution', receivedOn: '2026-12-01', outcome: 'not-held', dispatchedOn: '2026-12-30', closedOn: '2027-01-04' });
  await seed({ name: 'Z6', agency: zfb, column: 'other-organisation', receivedOn: '2026-12-21' });
  await seed({ name: 'Z7', agency: zfb, column: 'natural-person', receivedOn: '2025-06-01', outcome: 'disclosed', dispatchedOn: '2025-06-20', closedOn: '2025-06-21' });
  await seed({ name: 'Z8', agency: zfb, column: 'natural-person', receivedOn: null });
  await seed({ name: 'S1', agency: 'LYG-SHJ', column: 'natural-person', receivedOn: '2026-02-02', outcome: 'repeat-request', dispatchedOn: '2026-02-10', closedOn: '2026-02-11' });

  const remedy = (recordId: string, name: string, kind: 'review' | 'suit', afterReview: boolean, filedOn: string, result: 'upheld' | 'corrected' | 'other' | 'pending', decidedOn: string | null) =>
    register.saveRemedyRecord({ recordId, caseNumber: numbers[name]!, kind, afterReview, filedOn, result, decidedOn, enteredBy: 'handler.wang', enteredAt: '2026-12-31T01:00:00.000Z' });
  await remedy('RV-1', 'Z3', 'review', false, '2026-05-10', 'upheld', '2026-07-01');
  await remedy('SU-1', 'Z3', 'suit', true, '2026-07-20', 'pending', null);
  await remedy('SU-2', 'Z2', 'suit', false, '2026-04-15', 'corrected', '2026-09-30');
  await remedy('RV-2', 'S1', 'review', false, '2026-03-01', 'other', '2026-04-01');

  // The CLI finds the register at GONGKAI_DATA_DIR/register.sqlite; no Temporal server is contacted.
  stack = { address: '127.0.0.1:1', dataDir: dirname(store.settings.sqliteFile!) };
}, 60_000);

afterAll(async () => {
  await register?.close();
  await store?.destroy();
});

const ZFB_2026: Partial<Record<ReportRowCode, number[]>> = {
  // 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
  一: [0, 1, 1, 1, 1, 1, 5],
  二: [1, 0, 0, 0, 0, 0, 1],
  '三.1': [0, 1, 0, 0, 0, 0, 1],
  '三.2': [1, 0, 0, 0, 0, 0, 1],
  '三.3.1': [0, 0, 1, 0, 0, 0, 1],
  '三.4.1': [0, 0, 0, 0, 1, 0, 1],
  '三.6.1': [0, 0, 0, 1, 0, 0, 1],
  '三.7': [1, 1, 1, 1, 1, 0, 5],
  四: [0, 0, 0, 0, 0, 1, 1],
};
const ZERO = [0, 0, 0, 0, 0, 0, 0];

test('LYG-ZFB 2026 as CSV: the printed labels and every row as worked out by hand', async () => {
  const { code, stdout, stderr } = await gongkai(stack, 'report', 'annual', '--year', '2026', '--agency', 'LYG-ZFB');
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout.startsWith('\uFEFF')).toBe(true);
  const lines = stdout.slice(1).trimEnd().split('\r\n');
  expect(lines[0]).toBe('2026年度政府信息公开工作年度报告（LYG-ZFB）');
  expect(lines[1]).toBe('三、收到和处理政府信息公开申请情况');
  expect(lines[2]).toBe('（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）,,,申请人情况,,,,,,');
  expect(lines[4]).toBe(',,,,商业企业,科研机构,社会公益组织,法律服务机构,其他,');
  const dataLines = lines.slice(5, 30);
  const numbersOf = (line: string) => line.split(',').slice(3).map(Number);
  expect(dataLines[0]).toBe('一、本年新收政府信息公开申请数量,,,0,1,1,1,1,1,5');
  expect(dataLines[4]).toBe('三、本年度办理结果,（三）不予公开,1.属于国家秘密,0,0,1,0,0,0,1');
  const codes: ReportRowCode[] = ['一', '二', '三.1', '三.2', '三.3.1', '三.3.2', '三.3.3', '三.3.4', '三.3.5', '三.3.6', '三.3.7', '三.3.8', '三.4.1', '三.4.2', '三.4.3', '三.5.1', '三.5.2', '三.5.3', '三.5.4', '三.5.5', '三.6.1', '三.6.2', '三.6.3', '三.7', '四'];
  expect(dataLines.map(numbersOf)).toEqual(codes.map((c) => ZFB_2026[c] ?? ZERO));
  expect(lines.slice(31)).toEqual([
    '四、政府信息公开行政复议、行政诉讼情况',
    '行政复议,,,,,行政诉讼,,,,,,,,,',
    ',,,,,未经复议直接起诉,,,,,复议后起诉,,,,',
    '结果维持,结果纠正,其他结果,尚未审结,总计,结果维持,结果纠正,其他结果,尚未审结,总计,结果维持,结果纠正,其他结果,尚未审结,总计',
    '1,0,0,0,1,0,1,0,0,1,0,0,0,1,1', // RV-1 | SU-2 | SU-1
  ]);
}, 60_000);

test('all agencies as JSON: cells carry their case numbers; S1 and its review count too', async () => {
  const { code, stdout, stderr } = await gongkai(stack, 'report', 'annual', '--year', '2026', '--format', 'json');
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const json = JSON.parse(stdout);
  expect(json).toMatchObject({ year: 2026, agencyCode: null, resultDateBasis: 'reply-or-closure', remedyYearBasis: 'filed' });
  const rowOf = (code: string) => json.tableThree.rows.find((r: { code: string }) => r.code === code);
  expect(REPORT_COLUMNS.map((c) => rowOf('一').values[c])).toEqual([1, 1, 1, 1, 1, 1, 6]);
  expect(REPORT_COLUMNS.map((c) => rowOf('三.5.2').values[c])).toEqual([1, 0, 0, 0, 0, 0, 1]);
  expect(REPORT_COLUMNS.map((c) => rowOf('三.7').values[c])).toEqual([2, 1, 1, 1, 1, 0, 6]);
  expect(rowOf('二').caseNumbers['natural-person']).toEqual([numbers.Z1]);
  expect(rowOf('四').caseNumbers.total).toEqual([numbers.Z6]);
  expect(rowOf('三.3.1').fullLabel).toBe('三、本年度办理结果 > （三）不予公开 > 1.属于国家秘密');
  expect(json.tableThree.notReceived).toEqual([numbers.Z8]);
  const review = json.tableFour.groups.find((g: { group: string }) => g.group === 'review');
  expect(review.values).toEqual({ upheld: 1, corrected: 0, other: 1, pending: 0, total: 2 });
  expect(review.recordIds.total).toEqual(['RV-1', 'RV-2']);
}, 60_000);

test('counting results by archive date instead moves Z5 (replied 12-30, archived 2027-01-04) to 四', async () => {
  const report = await buildAnnualReport(register, { year: 2026, agencyCode: 'LYG-ZFB', knownAgencies: ['LYG-ZFB'], resultDateBasis: 'closure' });
  const row = (code: ReportRowCode) => REPORT_COLUMNS.map((c) => report.tableThree.cells[code][c]);
  expect(row('三.4.1')).toEqual(ZERO);
  expect(row('三.7')).toEqual([1, 1, 1, 1, 0, 0, 4]);
  expect(row('四')).toEqual([0, 0, 0, 0, 1, 1, 2]);
  expect(report.tableThree.cases['四']['legal-service-institution']).toEqual([numbers.Z5]);
});

test('XLSX: one sheet per table, printed headers, merged parent cells, the numbers', async () => {
  const out = join(stack.dataDir, 'report-2026.xlsx');
  const { code, stdout, stderr } = await gongkai(stack, 'report', 'annual', '--year', '2026', '--agency', 'LYG-ZFB', '--format', 'xlsx', '--out', out);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout).toContain(out);
  const workbook = new Workbook();
  await workbook.xlsx.load(readFileSync(out) as unknown as ArrayBuffer);
  expect(workbook.worksheets.map((s) => s.name)).toEqual(['三、收到和处理政府信息公开申请情况', '四、政府信息公开行政复议、行政诉讼情况']);
  const three = workbook.getWorksheet('三、收到和处理政府信息公开申请情况')!;
  expect(three.getCell('A2').value).toBe('（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）');
  expect(three.getCell('D2').value).toBe('申请人情况');
  expect(three.getCell('E3').value).toBe('法人或其他组织');
  expect(three.getCell('F4').value).toBe('科研机构');
  expect(three.getCell('A5').value).toBe('一、本年新收政府信息公开申请数量');
  expect(['D5', 'E5', 'F5', 'G5', 'H5', 'I5', 'J5'].map((a) => three.getCell(a).value)).toEqual(ZFB_2026['一']);
  expect(three.getCell('C9').value).toBe('1.属于国家秘密'); // 三.3.1, the fifth data row
  expect(three.getCell('F9').value).toBe(1);
  expect(['D29', 'J29'].map((a) => three.getCell(a).value)).toEqual([0, 1]); // 四
  // 三、本年度办理结果 spans 三.1 … 三.7 (rows 7–28); （三）不予公开 spans its eight rows (9–16).
  expect(three.getCell('A20').master.address).toBe('A7');
  expect(three.getCell('B16').master.address).toBe('B9');
  expect(three.getCell('B17').master.address).toBe('B17');
  const four = workbook.getWorksheet('四、政府信息公开行政复议、行政诉讼情况')!;
  expect(four.getCell('F2').value).toBe('行政诉讼');
  expect(four.getCell('K3').value).toBe('复议后起诉');
  expect(four.getRow(5).values).toEqual([undefined, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1]);
}, 60_000);

test('refusals name the field and exit 1', async () => {
  const unknownAgency = await gongkai(stack, 'report', 'annual', '--year', '2026', '--agency', 'NO-SUCH');
  expect(unknownAgency.code).toBe(1);
  expect(unknownAgency.stderr).toContain('--agency');
  const badYear = await gongkai(stack, 'report', 'annual', '--year', '26');
  expect(badYear.code).toBe(1);
  expect(badYear.stderr).toContain('--year');
  const xlsxToTerminal = await gongkai(stack, 'report', 'annual', '--year', '2026', '--format', 'xlsx');
  expect(xlsxToTerminal.code).toBe(1);
  expect(xlsxToTerminal.stderr).toContain('--out');
}, 60_000);

test('a tampered register (a reply dated before the receipt) is refused, naming the column and the case', async () => {
  // The in-process render still works before the tampering, so exceljs loads under Jest too.
  const before = await buildAnnualReport(register, { year: 2026, agencyCode: 'LYG-ZFB', knownAgencies: ['LYG-ZFB'] });
  expect((await renderAnnualReport(before, 'xlsx')).subarray(0, 2).toString()).toBe('PK');

  await register.store.db.updateTable('gk_case').set({ dispatched_on: '2025-12-15' }).where('case_number', '=', numbers.Z2!).execute();
  const { code, stdout, stderr } = await gongkai(stack, 'report', 'annual', '--year', '2026', '--agency', 'LYG-ZFB');
  expect(code).toBe(1);
  expect(stdout).toBe('');
  expect(stderr).toContain('columns.commercial-enterprise: 一+二 = 1 ≠ 三.7+四 = 0');
  expect(stderr).toContain('columns.total: 一+二 = 6 ≠ 三.7+四 = 5');
  expect(stderr).toContain(numbers.Z2);
  expect(stderr).not.toContain('natural-person');
}, 60_000);

test('PostgreSQL: the same query and counts (report rows, the after-review flag)', async () => {
  const pg = await createTestStore('postgres');
  const pgRegister = await pg.open();
  try {
    await seed({ name: 'P1', agency: 'LYG-ZFB', column: 'commercial-enterprise', receivedOn: '2025-12-29', outcome: 'withheld-third-party-rights', dispatchedOn: '2026-01-20', closedOn: '2026-01-21' }, pgRegister);
    await seed({ name: 'P2', agency: 'LYG-ZFB', column: 'natural-person', receivedOn: '2026-11-02' }, pgRegister);
    await seed({ name: 'P3', agency: 'LYG-SHJ', column: 'natural-person', receivedOn: '2026-03-02' }, pgRegister);
    await pgRegister.saveRemedyRecord({ recordId: 'PG-1', caseNumber: numbers.P1!, kind: 'suit', afterReview: true, filedOn: '2026-03-01', result: 'corrected', decidedOn: '2026-08-01', enteredBy: 'handler.wang', enteredAt: '2026-12-31T01:00:00.000Z' });
    const report = await buildAnnualReport(pgRegister, { year: 2026, agencyCode: 'LYG-ZFB', knownAgencies: ['LYG-ZFB'] });
    const row = (code: ReportRowCode) => REPORT_COLUMNS.map((c) => report.tableThree.cells[code][c]);
    expect(row('一')).toEqual([1, 0, 0, 0, 0, 0, 1]);
    expect(row('二')).toEqual([0, 1, 0, 0, 0, 0, 1]);
    expect(row('三.3.4')).toEqual([0, 1, 0, 0, 0, 0, 1]);
    expect(row('四')).toEqual([1, 0, 0, 0, 0, 0, 1]);
    expect(report.tableFour.cells['suit-after-review']).toEqual({ upheld: 0, corrected: 1, other: 0, pending: 0, total: 1 });
    expect(report.tableFour.cells['suit-direct'].total).toBe(0);
  } finally {
    await pgRegister.close();
    await pg.destroy();
  }
}, 60_000);
