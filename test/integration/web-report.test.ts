import { beijingDateOf, type IsoDate } from '../../domain/dates';
import { randomSubmissionId } from '../helpers/register';
import { exampleApplication } from '../helpers/request-harness';
import { walkthroughSteps } from '../helpers/walkthrough';
import { PageSession } from '../helpers/page-session';
import { WebStack } from '../helpers/web-stack';

// The 年度报告 page and the review and suit records (issue 10, item 1) on the real stack: a case walked to archived
// through the JSON API is counted in table 三; a review record entered through the form shows in table 四.

jest.setTimeout(300_000);

let web: WebStack;
let archived = '';
let open = '';

const today = (): IsoDate => beijingDateOf(new Date().toISOString());

async function submit(): Promise<string> {
  const answer = await web.api('POST', '/api/submissions', { as: 'zrzy.registrar', body: { submissionId: randomSubmissionId(), application: exampleApplication } });
  if (answer.status !== 201) throw new Error(`submission failed: ${answer.status}`);
  return (answer.body as { caseNumber: string }).caseNumber;
}

async function walkToArchived(caseNumber: string): Promise<void> {
  for (const { userId, action, file, data } of walkthroughSteps(today())) {
    const answer = await web.api('POST', `/api/cases/${caseNumber}/actions`, { as: userId, body: { action, data } });
    if (answer.status !== 200) throw new Error(`${file} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

/** The register's record once the archive has reached it (the workflow writes it after the act returns). */
async function archivedRecord(caseNumber: string) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const stored = await web.register.readCase(caseNumber);
    if (stored?.stage === 'archived' && stored.closed_on !== null) return stored;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${caseNumber} never reached the register as archived`);
}

const cell = (html: string, attributes: string): string | undefined => new RegExp(`<td ${attributes}>(\\d+)</td>`).exec(html)?.[1];
const csrfOf = (html: string): string => /name="_csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';
const recordIdOf = (html: string): string => /name="recordId" value="([^"]*)"/.exec(html)?.[1] ?? '';

beforeAll(async () => {
  web = await WebStack.start();
  archived = await submit();
  open = await submit();
  await walkToArchived(archived);
});

afterAll(async () => {
  await web?.close();
});

test('the office head sees table 三 with the archived case in its result row and applicant column', async () => {
  const stored = await archivedRecord(archived);
  const year = stored.dispatched_on!.slice(0, 4);
  const head = await PageSession.signIn(web.baseUrl, 'zrzy.head');
  const page = await head.get(`/report?year=${year}`);
  expect(page.status).toBe(200);
  expect(page.html).toContain('三、收到和处理政府信息公开申请情况');
  expect(page.html).toContain('<a href="/report">年度报告</a>');
  expect(stored.report_row).not.toBeNull();
  expect(cell(page.html, `data-row="${stored.report_row}" data-column="${stored.applicant_column}"`)).toBe('1');
  expect(cell(page.html, `data-row="${stored.report_row}" data-column="total"`)).toBe('1');
  // The year before has no result.
  const before = await head.get(`/report?year=${Number(year) - 1}`);
  expect(cell(before.html, `data-row="${stored.report_row}" data-column="total"`)).toBe('0');
});

test('a handler is refused the report; a bad year is 400; another agency is 403', async () => {
  const handler = await PageSession.signIn(web.baseUrl, 'zrzy.handler1');
  expect((await handler.get('/report?year=2026')).status).toBe(403);
  expect((await handler.get('/report.csv?year=2026')).status).toBe(403);
  const head = await PageSession.signIn(web.baseUrl, 'zrzy.head');
  expect((await head.get('/report?year=20x6')).status).toBe(400);
  expect((await head.get('/report?year=2026&agency=LYG-ZFB')).status).toBe(403);
  expect((await head.get('/report?year=2026&agency=all')).status).toBe(403);
  const supervisor = await PageSession.signIn(web.baseUrl, 'supervisor');
  expect((await supervisor.get('/report?year=2026&agency=all')).status).toBe(200);
});

test('the CSV download starts with a BOM and carries the row labels; the XLSX is a workbook', async () => {
  const stored = await archivedRecord(archived);
  const year = stored.dispatched_on!.slice(0, 4);
  const head = await PageSession.signIn(web.baseUrl, 'zrzy.head');
  const csv = await head.get(`/report.csv?year=${year}`);
  expect(csv.status).toBe(200);
  expect(csv.contentType).toMatch(/^text\/csv/);
  expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(csv.html).toContain('一、本年新收政府信息公开申请数量');
  const xlsx = await head.get(`/report.xlsx?year=${year}`);
  expect(xlsx.status).toBe(200);
  expect(xlsx.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
});

test('a review record entered on the archived case is counted in table 四; the same form twice saves once', async () => {
  const stored = await archivedRecord(archived);
  const year = today().slice(0, 4);
  const head = await PageSession.signIn(web.baseUrl, 'zrzy.head');
  const form = await head.get(`/cases/${archived}/remedies`);
  expect(form.status).toBe(200);
  const fields = { _csrf: csrfOf(form.html), recordId: recordIdOf(form.html), kind: 'review', filedOn: today(), result: 'corrected', decidedOn: today() };
  expect((await head.post(`/cases/${archived}/remedies`, fields)).status).toBe(303);
  expect((await head.post(`/cases/${archived}/remedies`, fields)).status).toBe(303);
  expect(await web.register.remedyRecords(archived)).toHaveLength(1);
  expect(stored.case_number).toBe(archived);
  const report = await head.get(`/report?year=${year}`);
  expect(cell(report.html, 'data-group="review" data-column="corrected"')).toBe('1');
  expect(cell(report.html, 'data-group="review" data-column="total"')).toBe('1');
  expect(cell(report.html, 'data-group="suit-direct" data-column="total"')).toBe('0');
  const listed = await head.get(`/cases/${archived}/remedies`);
  expect(listed.html).toContain('纠正');
});

test('a decided record without its decision date is refused with the field named, and not saved', async () => {
  const head = await PageSession.signIn(web.baseUrl, 'zrzy.head');
  const form = await head.get(`/cases/${archived}/remedies`);
  const before = (await web.register.remedyRecords(archived)).length;
  const answer = await head.post(`/cases/${archived}/remedies`, { _csrf: csrfOf(form.html), recordId: recordIdOf(form.html), kind: 'suit', filedOn: today(), result: 'upheld', decidedOn: '' });
  expect(answer.status).toBe(400);
  expect(answer.html).toContain('decidedOn');
  expect(await web.register.remedyRecords(archived)).toHaveLength(before);
});

test('a record on an open case is 409; a handler not on the case is 403; without the CSRF token 403', async () => {
  const head = await PageSession.signIn(web.baseUrl, 'zrzy.head');
  const form = await head.get(`/cases/${archived}/remedies`);
  const fields = { _csrf: csrfOf(form.html), recordId: recordIdOf(form.html), kind: 'review', filedOn: today(), result: 'pending', decidedOn: '' };
  expect((await head.get(`/cases/${open}/remedies`)).status).toBe(409);
  expect((await head.post(`/cases/${open}/remedies`, fields)).status).toBe(409);
  const withoutCsrf = { ...fields, _csrf: '' };
  expect((await head.post(`/cases/${archived}/remedies`, withoutCsrf)).status).toBe(403);
  const other = await PageSession.signIn(web.baseUrl, 'zrzy.handler2');
  const otherForm = await other.get(`/cases/${archived}/remedies`);
  expect(otherForm.status).toBe(200);
  expect(otherForm.html).not.toContain('name="recordId"');
  expect((await other.post(`/cases/${archived}/remedies`, { ...fields, _csrf: csrfOf(otherForm.html) })).status).toBe(403);
  expect(await web.register.remedyRecords(open)).toHaveLength(0);
});
