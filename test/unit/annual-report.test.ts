import {
  annualReport,
  AnnualReportIdentityError,
  annualReportCsv,
  type ReportCase,
  type ReportRemedyRecord,
  resultDateOf,
  tableFour,
  tableThree,
} from '../../domain/annual-report';
import { REPORT_COLUMNS, type ReportRowCode } from '../../domain/report-rows';
import { InvalidInputError } from '../../domain/validation';

// Cases across 2025–2027 in several columns. Expected cells below were worked out by hand from these dates
// (each annotated with the cases it counts) before the code ran.
const kase = (caseNumber: string, applicantColumn: ReportCase['applicantColumn'], receivedOn: string | null, resultOn: string | null, reportRow: ReportCase['reportRow']): ReportCase => ({
  caseNumber,
  agencyCode: 'LYG-ZFB',
  applicantColumn,
  receivedOn,
  resultOn,
  reportRow,
});

const CASES: ReportCase[] = [
  kase('A01', 'natural-person', '2025-11-10', '2025-12-01', '三.1'), // 2025: 一, 三.1
  kase('A02', 'natural-person', '2025-12-20', '2026-01-15', '三.2'), // 2025: 一, 四; 2026: 二, 三.2
  kase('A03', 'natural-person', '2026-03-01', '2026-03-20', '三.1'), // 2026: 一, 三.1
  kase('A04', 'commercial-enterprise', '2026-05-01', '2026-05-25', '三.3.4'), // 2026: 一, 三.3.4
  kase('A05', 'commercial-enterprise', '2026-12-20', null, null), // 2026: 一, 四
  kase('A06', 'research-institution', '2025-12-28', null, null), // 2025: 一, 四; 2026: 二, 四
  kase('A07', 'legal-service-institution', '2026-06-01', '2027-01-05', '三.4.1'), // 2026: 一, 四 (result next year)
  kase('A08', 'other-organisation', '2026-02-02', '2026-02-10', '三.6.3'), // 2026: 一, 三.6.3
  kase('A09', 'natural-person', null, null, null), // receipt unconfirmed: nowhere
  kase('A10', 'public-welfare-organisation', '2027-01-03', null, null), // 2027 only
  kase('A11', 'natural-person', '2026-07-01', '2026-07-10', '三.5.2'), // 2026: 一, 三.5.2
];

// Column order: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
const row = (cells: ReturnType<typeof tableThree>['cells'], code: ReportRowCode) => REPORT_COLUMNS.map((c) => cells[code][c]);
const ZERO = [0, 0, 0, 0, 0, 0, 0];

describe('table 三', () => {
  test('2026: every row as worked out by hand', () => {
    const { cells, cases, notReceived } = tableThree(CASES, 2026);
    expect(row(cells, '一')).toEqual([2, 2, 0, 0, 1, 1, 6]); // A03 A11 | A04 A05 | A07 | A08
    expect(row(cells, '二')).toEqual([1, 0, 1, 0, 0, 0, 2]); // A02 | A06
    expect(row(cells, '三.1')).toEqual([1, 0, 0, 0, 0, 0, 1]); // A03
    expect(row(cells, '三.2')).toEqual([1, 0, 0, 0, 0, 0, 1]); // A02
    expect(row(cells, '三.3.4')).toEqual([0, 1, 0, 0, 0, 0, 1]); // A04
    expect(row(cells, '三.5.2')).toEqual([1, 0, 0, 0, 0, 0, 1]); // A11
    expect(row(cells, '三.6.3')).toEqual([0, 0, 0, 0, 0, 1, 1]); // A08
    expect(row(cells, '三.4.1')).toEqual(ZERO); // A07's result falls in 2027
    expect(row(cells, '三.7')).toEqual([3, 1, 0, 0, 0, 1, 5]);
    expect(row(cells, '四')).toEqual([0, 1, 1, 0, 1, 0, 3]); // A05 | A06 | A07
    const filled = new Set(['一', '二', '三.1', '三.2', '三.3.4', '三.5.2', '三.6.3', '三.7', '四']);
    for (const code of Object.keys(cells) as ReportRowCode[]) if (!filled.has(code)) expect([code, row(cells, code)]).toEqual([code, ZERO]);
    expect(cases['三.7'].total).toEqual(['A02', 'A03', 'A04', 'A08', 'A11']);
    expect(cases['四']['research-institution']).toEqual(['A06']);
    expect(notReceived).toEqual(['A09']);
  });

  test('2025: the year before carries A02 and A06 into 2026', () => {
    const { cells } = tableThree(CASES, 2025);
    expect(row(cells, '一')).toEqual([2, 0, 1, 0, 0, 0, 3]); // A01 A02 | A06
    expect(row(cells, '二')).toEqual(ZERO);
    expect(row(cells, '三.1')).toEqual([1, 0, 0, 0, 0, 0, 1]); // A01
    expect(row(cells, '三.7')).toEqual([1, 0, 0, 0, 0, 0, 1]);
    expect(row(cells, '四')).toEqual([1, 0, 1, 0, 0, 0, 2]); // A02 | A06
    // What 2025 carries forward is what 2026 carries over.
    expect(row(cells, '四')).toEqual(row(tableThree(CASES, 2026).cells, '二'));
  });

  test('the identity 一 + 二 = 三.7 + 四 holds in every column, every year', () => {
    for (const year of [2024, 2025, 2026, 2027]) {
      const { cells } = tableThree(CASES, year);
      for (const c of REPORT_COLUMNS) expect(cells['一'][c] + cells['二'][c]).toBe(cells['三.7'][c] + cells['四'][c]);
    }
  });

  test('a case whose result predates its receipt breaks the identity; the error names the column and both sides', () => {
    const tampered = [...CASES, kase('X01', 'commercial-enterprise', '2026-04-01', '2025-12-30', '三.1')];
    let error: unknown;
    try {
      tableThree(tampered, 2026);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AnnualReportIdentityError);
    expect(error).toBeInstanceOf(InvalidInputError);
    const identity = error as AnnualReportIdentityError;
    expect(identity.failures).toEqual([
      { column: 'commercial-enterprise', received: 3, accounted: 2 },
      { column: 'total', received: 9, accounted: 8 },
    ]);
    expect(identity.suspectCases).toEqual(['X01']);
    expect(identity.message).toContain('columns.commercial-enterprise（商业企业）: 一+二 = 3 ≠ 三.7+四 = 2');
    expect(identity.message).toContain('columns.total（总计）');
    expect(identity.message).not.toContain('natural-person');
    // The year of the misdated result fails too: there it is a result no intake explains.
    expect(() => tableThree(tampered, 2025)).toThrow(/columns\.commercial-enterprise（商业企业）: 一\+二 = 0 ≠ 三\.7\+四 = 1/);
  });

  test('a result without a report row is refused, naming the case', () => {
    const tampered = [...CASES, kase('X02', 'research-institution', '2026-01-05', '2026-02-01', null)];
    expect(() => tableThree(tampered, 2026)).toThrow(/columns\.research-institution（科研机构）: 一\+二 = 2 ≠ 三\.7\+四 = 1.*inconsistent cases: X02/);
  });

  test('malformed cases are refused naming the field', () => {
    expect(() => tableThree([{ ...CASES[0], applicantColumn: 'total' }], 2026)).toThrow(/0\.applicantColumn/);
    expect(() => tableThree([{ ...CASES[0], reportRow: '三.7' }], 2026)).toThrow(/0\.reportRow/);
    expect(() => tableThree([{ ...CASES[0], receivedOn: '2026-02-30' }], 2026)).toThrow(/0\.receivedOn/);
  });
});

describe('which date counts a result', () => {
  test('by default the reply dispatch, else the archive date; `closure` the archive date only', () => {
    const repliedInDecember = { dispatchedOn: '2026-12-30', closedOn: '2027-01-04' };
    expect(resultDateOf(repliedInDecember)).toBe('2026-12-30');
    expect(resultDateOf(repliedInDecember, 'closure')).toBe('2027-01-04');
    expect(resultDateOf({ dispatchedOn: null, closedOn: '2026-05-01' })).toBe('2026-05-01');
    expect(resultDateOf({ dispatchedOn: null, closedOn: null })).toBeNull();
  });
});

describe('table 四', () => {
  const record = (recordId: string, kind: 'review' | 'suit', afterReview: boolean, filedOn: string, result: ReportRemedyRecord['result'], decidedOn: string | null): ReportRemedyRecord => ({
    recordId,
    caseNumber: 'A03',
    kind,
    afterReview,
    filedOn,
    result,
    decidedOn,
  });
  const RECORDS = [
    record('R1', 'review', false, '2026-02-01', 'upheld', '2026-04-01'),
    record('R2', 'review', false, '2026-03-01', 'corrected', '2026-06-01'),
    record('R3', 'review', false, '2026-11-01', 'upheld', '2027-01-10'), // undecided at the end of 2026
    record('R4', 'suit', false, '2026-05-01', 'pending', null),
    record('R5', 'suit', true, '2026-07-01', 'other', '2026-10-01'),
    record('R6', 'review', false, '2025-10-01', 'upheld', '2026-01-20'),
    record('R7', 'suit', false, '2025-06-01', 'corrected', '2025-09-01'),
    record('R8', 'review', true, '2026-08-01', 'other', '2026-09-01'), // the flag means nothing for a review
  ];
  // Columns: 结果维持, 结果纠正, 其他结果, 尚未审结, 总计.
  const counts = (t: ReturnType<typeof tableFour>, g: keyof ReturnType<typeof tableFour>['cells']) => Object.values(t.cells[g]);

  test('by filing year (default): the result as known at the year end', () => {
    const t = tableFour(RECORDS, 2026);
    expect(counts(t, 'review')).toEqual([1, 1, 1, 1, 4]); // R1 | R2 | R8 | R3
    expect(counts(t, 'suit-direct')).toEqual([0, 0, 0, 1, 1]); // R4
    expect(counts(t, 'suit-after-review')).toEqual([0, 0, 1, 0, 1]); // R5
    expect(t.records.review.pending).toEqual(['R3']);
  });

  test('by decision year: decided in the year, plus those still pending at its end', () => {
    const t = tableFour(RECORDS, 2026, 'decided');
    expect(counts(t, 'review')).toEqual([2, 1, 1, 1, 5]); // R1 R6 | R2 | R8 | R3
    expect(counts(t, 'suit-direct')).toEqual([0, 0, 0, 1, 1]); // R4
    expect(counts(t, 'suit-after-review')).toEqual([0, 0, 1, 0, 1]); // R5
    expect(counts(tableFour(RECORDS, 2027, 'decided'), 'review')).toEqual([1, 0, 0, 0, 1]); // R3
  });

  test('inconsistent records are refused naming the field', () => {
    expect(() => tableFour([record('R9', 'review', false, '2026-02-01', 'upheld', null)], 2026)).toThrow(/0\.decidedOn/);
    expect(() => tableFour([record('R9', 'review', false, '2026-02-01', 'pending', '2026-03-01')], 2026)).toThrow(/0\.result/);
    expect(() => tableFour([record('R9', 'review', false, '2026-02-01', 'upheld', '2026-01-01')], 2026)).toThrow(/0\.decidedOn/);
  });
});

describe('CSV', () => {
  test('printed labels, a byte-order mark, and the numbers of each row', () => {
    const report = annualReport({ year: 2026, agencyCode: 'LYG-ZFB', resultDateBasis: 'reply-or-closure', remedyYearBasis: 'filed', cases: CASES, remedyRecords: [] });
    const csv = annualReportCsv(report);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toContain('一、本年新收政府信息公开申请数量,,,2,2,0,0,1,1,6');
    expect(lines).toContain('三、本年度办理结果,（三）不予公开,4.保护第三方合法权益,0,1,0,0,0,0,1');
    expect(lines).toContain('三、本年度办理结果,（七）总计,,3,1,0,0,0,1,5');
    expect(lines).toContain('四、结转下年度继续办理,,,0,1,1,0,1,0,3');
    expect(lines).toContain(',,,自然人,法人或其他组织,,,,,总计');
    expect(lines).toContain('结果维持,结果纠正,其他结果,尚未审结,总计,结果维持,结果纠正,其他结果,尚未审结,总计,结果维持,结果纠正,其他结果,尚未审结,总计');
  });

  test('a year outside 2008–2100 is refused', () => {
    expect(() => annualReport({ year: 1999, agencyCode: null, resultDateBasis: 'closure', remedyYearBasis: 'filed', cases: [], remedyRecords: [] })).toThrow(InvalidInputError);
  });
});
