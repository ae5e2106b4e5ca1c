import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { reportRowOf, rollUpOutcome } from '../../domain/outcomes';
import { REPORT_COLUMNS, REPORT_ROW_DEFINITIONS, REPORT_ROWS, type ReportColumn, type ReportRowCode } from '../../domain/report-rows';
import type { Register } from '../../register';
import { PROJECT_ROOT } from '../../workers/config';
import { SEEDED_AGENCY, SEEDED_CASES, SEEDED_REMEDY_RECORDS, SEEDED_YEAR, type SeededCase } from '../fixtures/annual-report/seeded-2027';
import { BACKENDS, type Backend, createTestStore, randomSubmissionId, type TestStore } from '../helpers/register';

// Issue 10 item 7: the annual report of a seeded year (test/fixtures/annual-report/seeded-2027.ts) against a CSV and
// a cell-by-cell list of case numbers, both written by hand from legal.md §3 before the report code ran on the year.
// The real register on both backends, filled with the register calls and fields the workflow uses; the real CLI in
// its own process (`gongkai report annual`); then the register tampered with in SQL, which the identity must refuse.

const FIXTURES = join(__dirname, '..', 'fixtures', 'annual-report');
const EXPECTED_CSV = readFileSync(join(FIXTURES, 'expected-2027.csv'), 'utf8');

type CellLists = Partial<Record<ReportColumn, string[]>>;
const REMEDY_GROUPS = ['review', 'suit-direct', 'suit-after-review'] as const;
const REMEDY_COLUMNS = ['upheld', 'corrected', 'other', 'pending', 'total'] as const;
interface Annotations {
  year: number;
  agencyCode: string;
  tableThree: Partial<Record<ReportRowCode, CellLists>>;
  notReceived: string[];
  tableFour: Record<(typeof REMEDY_GROUPS)[number], Partial<Record<(typeof REMEDY_COLUMNS)[number], string[]>>>;
}
const ANNOTATIONS = JSON.parse(readFileSync(join(FIXTURES, 'expected-2027.annotations.json'), 'utf8')) as Annotations;

/** Only what a spreadsheet or git may change: the byte-order mark and CRLF. */
const normalised = (csv: string): string => csv.replace(/^\uFEFF/, '').replaceAll('\r\n', '\n');
const sorted = (list: readonly string[] | undefined): string[] => [...(list ?? [])].sort();

// ---- The three hand-written files agree with one another (no report code involved) ---------------------------------

test('the hand-written CSV, annotations and per-case rows agree with one another', () => {
  const lines = normalised(EXPECTED_CSV).trimEnd().split('\n');
  const dataLines = lines.slice(5, 5 + REPORT_ROWS.length);
  REPORT_ROWS.forEach((row, i) => {
    const cells = dataLines[i]!.split(',');
    expect(cells.slice(0, 3).filter(Boolean).at(-1)).toBe(REPORT_ROW_DEFINITIONS[row].label);
    expect(cells.slice(3).map(Number)).toEqual(REPORT_COLUMNS.map((c) => ANNOTATIONS.tableThree[row]?.[c]?.length ?? 0));
  });
  // Case → rows (seeded-2027.ts) inverted is cell → cases (the annotations); 三.7 and 总计 are the sums.
  const inverted: Partial<Record<ReportRowCode, CellLists>> = {};
  const add = (row: ReportRowCode, column: ReportColumn, caseNumber: string) => ((inverted[row] ??= {})[column] ??= []).push(caseNumber);
  for (const c of SEEDED_CASES) {
    for (const row of c.counts) {
      const rows: ReportRowCode[] = REPORT_ROW_DEFINITIONS[row].kind === 'result' ? [row, '三.7'] : [row];
      for (const r of rows) for (const column of [c.applicantColumn, 'total'] as const) add(r, column, c.caseNumber);
    }
  }
  const canonical = (table: Partial<Record<ReportRowCode, CellLists>>) =>
    Object.fromEntries(REPORT_ROWS.flatMap((row) => REPORT_COLUMNS.map((c) => [`${row}/${c}`, sorted(table[row]?.[c])])));
  expect(canonical(inverted)).toEqual(canonical(ANNOTATIONS.tableThree));
  expect(ANNOTATIONS.notReceived).toEqual(SEEDED_CASES.filter((c) => c.agencyCode === SEEDED_AGENCY && c.receivedOn === null).map((c) => c.caseNumber));

  const four = lines.at(-1)!.split(',').map(Number);
  expect(four).toEqual(REMEDY_GROUPS.flatMap((g) => REMEDY_COLUMNS.map((c) => ANNOTATIONS.tableFour[g][c]?.length ?? 0)));
  for (const g of REMEDY_GROUPS) {
    for (const c of REMEDY_COLUMNS) {
      const byRecord = SEEDED_REMEDY_RECORDS.filter((r) => r.counts?.group === g && (c === 'total' || r.counts.column === c)).map((r) => r.recordId);
      expect([g, c, sorted(byRecord)]).toEqual([g, c, sorted(ANNOTATIONS.tableFour[g][c])]);
    }
  }
});

// ---- Seeding: the register calls and fields of the workflow ------------------------------------------------------

const at = (date: string, hour: number): string => `${date}T0${hour}:00:00.000Z`;

async function seedCase(register: Register, c: SeededCase): Promise<void> {
  const confirmedLater = c.receivedOn !== c.registeredOn;
  const { caseNumber } = await register.registerCase({
    agencyCode: c.agencyCode,
    submissionId: randomSubmissionId(),
    registeredAt: at(c.registeredOn, 1),
    registrationYear: Number(c.registeredOn.slice(0, 4)),
    receivedOn: confirmedLater ? null : c.receivedOn,
    channel: c.channel,
    applicantColumn: c.applicantColumn,
    stage: confirmedLater ? 'awaiting-confirmation' : 'registered',
    actorId: 'registrar.chen',
    application: { applicant: { name: '测试申请人' } },
    idDocument: { kind: 'resident-id-card', number: '11010519491231002X' },
  });
  // The fixture's case numbers are what the register allocates in this order; anything else and the annotations lie.
  if (caseNumber !== c.caseNumber) throw new Error(`seeded ${c.caseNumber} but the register numbered it ${caseNumber}`);
  const event = (key: string, date: string, action: string, changes: Parameters<Register['recordCaseEvent']>[0]['changes']) =>
    register.recordCaseEvent({ caseNumber, eventKey: `${caseNumber}:${key}`, at: at(date, 2), actorId: 'handler.zhao', action, changes });
  if (confirmedLater && c.receivedOn !== null) await event('confirm', c.receivedOn, 'confirm-receipt', { stage: 'registered', received_on: c.receivedOn });
  if (c.openStage !== undefined && c.openStage !== 'awaiting-confirmation') await event('progress', c.receivedOn ?? c.registeredOn, 'progress', { stage: c.openStage });
  if (c.items !== undefined) {
    const rolled = rollUpOutcome(c.items, c.primaryOutcome && { outcome: c.primaryOutcome, reason: '以主要申请事项的处理结果为准' });
    if (!rolled.ok) throw new Error(`${c.caseNumber}: ${rolled.problem.message}`);
    const endedOn = c.dispatchedOn ?? c.endedOn;
    if (endedOn === undefined) throw new Error(`${c.caseNumber}: an outcome needs dispatchedOn or endedOn`);
    // Demo config: LYG-ZRZY keeps the default outcome rules, as the workflow's registerFields() would apply them.
    await event('outcome', endedOn, c.dispatchedOn ? 'record-dispatch' : 'record-withdrawal', {
      stage: 'awaiting-archive',
      outcome: rolled.outcome,
      report_row: reportRowOf(rolled.outcome),
      dispatched_on: c.dispatchedOn ?? null,
    });
  }
  if (c.closedOn !== undefined) {
    await register.archiveCase({
      caseNumber,
      eventKey: `${caseNumber}:archive`,
      at: at(c.closedOn, 3),
      actorId: 'handler.zhao',
      action: 'archive',
      changes: { stage: 'archived', closed_on: c.closedOn },
      caseFile: { documents: [] },
    });
  }
}

async function seedYear(register: Register): Promise<void> {
  for (const c of SEEDED_CASES) await seedCase(register, c);
  for (const r of SEEDED_REMEDY_RECORDS) {
    const { recordId, caseNumber, kind, afterReview, filedOn, result, decidedOn } = r;
    await register.saveRemedyRecord({ recordId, caseNumber, kind, afterReview, filedOn, result, decidedOn, enteredBy: 'handler.zhao', enteredAt: '2028-02-01T01:00:00.000Z' });
  }
}

// ---- The CLI in its own process ---------------------------------------------------------------------------------

const execFileAsync = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `gongkai report annual …` on this register: SQLite through GONGKAI_DATA_DIR, PostgreSQL through DATABASE_URL. */
function reportCli(store: TestStore, dataDir: string): (...args: string[]) => Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, GONGKAI_DATA_DIR: dataDir, TEMPORAL_ADDRESS: '127.0.0.1:1' };
  // The register under test only: never a DATABASE_URL inherited from the shell.
  delete env.DATABASE_URL;
  if (store.backend === 'postgres') env.DATABASE_URL = store.settings.url;
  return async (...args) => {
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, [join(PROJECT_ROOT, 'bin', 'gongkai.js'), 'report', 'annual', ...args], { env, cwd: PROJECT_ROOT });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const { code, stdout, stderr } = err as CliResult;
      return { code, stdout, stderr };
    }
  };
}

const YEAR_ARGS = ['--year', String(SEEDED_YEAR), '--agency', SEEDED_AGENCY];

describe.each(BACKENDS)('the seeded year on %s', (backend: Backend) => {
  let store: TestStore;
  let register: Register;
  let dataDir: string;
  let report: (...args: string[]) => Promise<CliResult>;

  beforeAll(async () => {
    store = await createTestStore(backend);
    register = await store.open();
    await seedYear(register);
    dataDir = backend === 'sqlite' ? dirname(store.settings.sqliteFile) : mkdtempSync(join(tmpdir(), 'gongkai-report-'));
    report = reportCli(store, dataDir);
  }, 60_000);

  afterAll(async () => {
    await register?.close();
    await store?.destroy();
    if (backend === 'postgres' && dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('CSV: byte for byte the hand-written expected-2027.csv', async () => {
    const { code, stdout, stderr } = await report(...YEAR_ARGS, '--format', 'csv');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.startsWith('\uFEFF')).toBe(true);
    expect(stdout.replaceAll('\r\n', '').includes('\n')).toBe(false);
    expect(normalised(stdout)).toBe(normalised(EXPECTED_CSV));
  }, 60_000);

  test('JSON: the case numbers behind every cell are the annotated ones', async () => {
    const { code, stdout, stderr } = await report(...YEAR_ARGS, '--format', 'json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const json = JSON.parse(stdout) as {
      tableThree: { rows: { code: ReportRowCode; values: Record<ReportColumn, number>; caseNumbers: Record<ReportColumn, string[]> }[]; notReceived: string[] };
      tableFour: { groups: { group: (typeof REMEDY_GROUPS)[number]; values: Record<string, number>; recordIds: Record<string, string[]> }[] };
    };
    expect(json.tableThree.rows.map((r) => r.code)).toEqual([...REPORT_ROWS]);
    for (const row of json.tableThree.rows) {
      for (const column of REPORT_COLUMNS) {
        const expected = sorted(ANNOTATIONS.tableThree[row.code]?.[column]);
        // The cell's name in the comparison, so that a failure says which cell.
        expect([row.code, column, sorted(row.caseNumbers[column])]).toEqual([row.code, column, expected]);
        expect([row.code, column, row.values[column]]).toEqual([row.code, column, expected.length]);
      }
    }
    expect(json.tableThree.notReceived).toEqual(ANNOTATIONS.notReceived);
    expect(json.tableFour.groups.map((g) => g.group)).toEqual([...REMEDY_GROUPS]);
    for (const group of json.tableFour.groups) {
      for (const column of REMEDY_COLUMNS) {
        const expected = sorted(ANNOTATIONS.tableFour[group.group][column]);
        expect([group.group, column, sorted(group.recordIds[column])]).toEqual([group.group, column, expected]);
        expect([group.group, column, group.values[column]]).toEqual([group.group, column, expected.length]);
      }
    }
  }, 60_000);

  test('a tampered register is refused, naming the column; nothing is written', async () => {
    const out = join(dataDir, `report-${backend}.csv`);
    const refusedWith = async (): Promise<string> => {
      const { code, stdout, stderr } = await report(...YEAR_ARGS, '--format', 'csv', '--out', out);
      expect({ code, stdout, written: existsSync(out) }).toEqual({ code: 1, stdout: '', written: false });
      return stderr;
    };
    const { db } = register.store;
    const otherColumns = (...failing: ReportColumn[]) => REPORT_COLUMNS.filter((c) => !failing.includes(c)).map((c) => `columns.${c}`);

    // A receipt date moved into 2028 behind the register's back: the case leaves 一 but its 2027 result stays in 三.
    await sql`update gk_case set received_on = '2028-07-19' where case_number = 'LYG-ZRZY-2027-000021'`.execute(db);
    const moved = await refusedWith();
    expect(moved).toContain('columns.commercial-enterprise: 一+二 = 6 ≠ 三.7+四 = 7');
    expect(moved).toContain('columns.total: 一+二 = 37 ≠ 三.7+四 = 38');
    expect(moved).toContain('LYG-ZRZY-2027-000021');
    for (const field of otherColumns('commercial-enterprise', 'total')) expect(moved).not.toContain(field);
    await sql`update gk_case set received_on = '2027-07-19' where case_number = 'LYG-ZRZY-2027-000021'`.execute(db);

    // A result deleted (outcome and row gone, the reply's date left): the case is in 一 but neither in 三 nor in 四.
    await sql`update gk_case set outcome = null, report_row = null where case_number = 'LYG-ZRZY-2027-000010'`.execute(db);
    const deleted = await refusedWith();
    expect(deleted).toContain('columns.research-institution: 一+二 = 5 ≠ 三.7+四 = 4');
    expect(deleted).toContain('columns.total: 一+二 = 38 ≠ 三.7+四 = 37');
    expect(deleted).toContain('LYG-ZRZY-2027-000010');
    for (const field of otherColumns('research-institution', 'total')) expect(deleted).not.toContain(field);
  }, 60_000);
});
