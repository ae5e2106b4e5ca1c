import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createRequestActivities } from '../../activities/request-activities';
import { holidayNoticeDigest } from '../../cli/calendar';
import { effectiveCalendar, type HolidayNotice, type WorkingDayCalendar } from '../../domain/calendar';
import { computeClock } from '../../domain/clock';
import { clockRulesOf, findAgency } from '../../domain/gongkai-config';
import type { Register } from '../../register';
import { calendarBatchJobId, OPEN_CASES_QUERY, signalOpenCases, waitForBatch } from '../../workers/calendar-broadcast';
import { readHolidayNotice, readHolidayNotices } from '../../workers/calendar-files';
import { PROJECT_ROOT } from '../../workers/config';
import { submitApplication } from '../../workers/intake';
import { loadConfig, type LoadedConfig } from '../../workers/load-config';
import { openConfiguredRegister } from '../../workers/open-register';
import { createMailTransport } from '../../workers/mail-transport';
import { createActivities, WORKFLOWS_PATH } from '../../workers/worker';
import { caseViewQuery, type CaseView } from '../../workflows/request/messages';
import { gongkai, type StackEnv } from '../helpers/local-stack';
import { exampleApplication, eventually } from '../helpers/request-harness';
import { randomSubmissionId } from '../helpers/register';
import { bundleTestWorkflows, createDevServerEnv, testDataConverter, uniqueTaskQueue } from '../helpers/temporal-env';

// Loading a year's holiday notice reaches every open case: one batch signal of the real dev server, each case reloads
// its calendar and recomputes its deadlines, the register records the recompute. Then the same through the CLI.

const SYNTHETIC_2027_PATH = join(PROJECT_ROOT, 'test', 'fixtures', 'calendar', 'synthetic-2027.json');
const synthetic2027 = readHolidayNotice(SYNTHETIC_2027_PATH);
// The worker ships the notices before 2027: the cases start with 2027 provisional, whatever later ships in config/.
const shippedBefore2027 = (): HolidayNotice[] => readHolidayNotices().filter((notice) => notice.year < 2027);

let env: TestWorkflowEnvironment;
let files: string;
let stack: StackEnv;
let config: LoadedConfig;
let register: Register;
let worker: Worker;
let running: Promise<void>;
const openCases: string[] = [];
let closedCase: string;

beforeAll(async () => {
  files = mkdtempSync(join(tmpdir(), 'gongkai-calendar-'));
  const [devServer, workflowBundle] = await Promise.all([createDevServerEnv(), bundleTestWorkflows(WORKFLOWS_PATH)]);
  env = devServer;
  // The CLI runs against the same server and register: the data dir's configuration, keys and register file.
  stack = { address: env.address, dataDir: join(files, 'data') };
  const processEnv = { TEMPORAL_ADDRESS: stack.address, GONGKAI_DATA_DIR: stack.dataDir };
  const loaded = loadConfig({ env: processEnv });
  config = { ...loaded, temporal: { ...loaded.temporal, taskQueue: uniqueTaskQueue('calendar') } };
  register = await openConfiguredRegister(config, processEnv);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: config.temporal.taskQueue,
    workflowBundle,
    // Every activity the worker runs (the cases issue their receipts), with the calendar shipped before 2027.
    activities: { ...createActivities({ config, register, transport: createMailTransport(config.smtp) }), ...createRequestActivities({ register, shippedNotices: shippedBefore2027 }) },
    dataConverter: testDataConverter(),
  });
  running = worker.run();

  for (let i = 0; i < 3; i++) {
    const submission = { submissionId: randomSubmissionId(), application: exampleApplication, registeredBy: 'zrzy.registrar' };
    openCases.push((await submitApplication({ client: env.client, register, config }, submission)).caseNumber);
  }
  // A closed case is not signalled.
  closedCase = openCases.pop()!;
  await env.client.workflow.getHandle(closedCase).terminate('closed for the test');
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await register?.close();
  await env?.teardown();
  rmSync(files, { recursive: true, force: true });
}, 60_000);

const view = (caseNumber: string): Promise<CaseView> => env.client.workflow.getHandle(caseNumber).query(caseViewQuery);

async function viewsOnVersion(version: string): Promise<CaseView[]> {
  const views: CaseView[] = [];
  await eventually(async () => {
    views.length = 0;
    for (const caseNumber of openCases) views.push(await view(caseNumber));
    expect(views.map((v) => v.calendarVersion)).toEqual(openCases.map(() => version));
  }, 15_000);
  return views;
}

/** The latest day the reply can be extended to, for the example application under `calendar`. */
function replyDueExtended(calendar: WorkingDayCalendar, receivedOn: string): string | null {
  const rules = clockRulesOf(findAgency(config, exampleApplication.agencyCode)!);
  return computeClock(rules, calendar, [{ type: 'received', on: receivedOn }]).replyDueExtended;
}

async function calendarBatchIds(): Promise<string[]> {
  const { operationInfo } = await env.client.workflowService.listBatchOperations({ namespace: 'default', pageSize: 100 });
  return (operationInfo ?? []).map((info) => info.jobId ?? '').filter((id) => id.startsWith('gongkai-calendar-')).sort();
}

/** Visibility lags a workflow's start and end: wait until the batch's query sees exactly the open cases. */
async function untilVisibleAsOpen(): Promise<void> {
  await eventually(async () => {
    const ids: string[] = [];
    for await (const wf of env.client.workflow.list({ query: OPEN_CASES_QUERY })) ids.push(wf.workflowId);
    expect(ids.sort()).toEqual([...openCases].sort());
  }, 15_000);
}

test('a loaded 2027 notice reaches every open case through one batch signal; the provisional deadline becomes final', async () => {
  const before = effectiveCalendar(shippedBefore2027(), []);
  const after = effectiveCalendar(shippedBefore2027(), [synthetic2027]);
  const initial = await viewsOnVersion(before.version);
  const receivedOn = initial[0]!.receivedOn!;
  // The latest extended deadline falls in January 2027: counted Monday–Friday until the notice is loaded.
  expect(initial.map((v) => [v.provisional, v.replyDueExtended])).toEqual(openCases.map(() => [true, replyDueExtended(before, receivedOn)]));
  await untilVisibleAsOpen();

  await register.saveHolidayNotice({ year: 2027, notice: synthetic2027, digest: holidayNoticeDigest(synthetic2027), loadedBy: 'admin', loadedAt: new Date().toISOString() });
  const batch = await signalOpenCases(env.client, { reason: 'test: 2027 notice loaded', calendarVersion: after.version });
  expect(batch).toEqual({ jobId: calendarBatchJobId(after.version), started: true });
  expect(await waitForBatch(env.client, { jobId: batch.jobId, timeoutMs: 20_000 })).toEqual({ jobId: batch.jobId, state: 'completed', total: 2, completed: 2, failed: 0 });

  const recomputed = await viewsOnVersion(after.version);
  expect(recomputed.map((v) => [v.provisional, v.replyDueExtended])).toEqual(openCases.map(() => [false, replyDueExtended(after, receivedOn)]));
  expect(replyDueExtended(after, receivedOn)).not.toBe(replyDueExtended(before, receivedOn)); // 元旦 2027-01-01 is a Friday
  for (const caseNumber of openCases) {
    await eventually(async () => {
      const keys = (await register.auditTrail(caseNumber)).map((e) => e.event_key);
      expect(keys).toContain(`${caseNumber}:calendar:${after.version}`);
    });
  }
  expect((await register.auditTrail(closedCase)).map((e) => e.event_key).filter((key) => key.includes(':calendar:'))).toEqual([]);

  // The same version again (a repeated load): no second batch, no second signal.
  expect(await signalOpenCases(env.client, { reason: 'test: loaded again', calendarVersion: after.version })).toEqual({ jobId: batch.jobId, started: false });
  await eventually(async () => expect(await calendarBatchIds()).toEqual([batch.jobId]));
  for (const caseNumber of openCases) {
    const { events } = await env.client.workflow.getHandle(caseNumber).fetchHistory();
    expect(events?.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(1);
  }
}, 60_000);

test('gongkai calendar load refuses a bad file, naming the field, and stores nothing', async () => {
  const storedBefore = await register.holidayNotices();
  const bad = structuredClone(synthetic2027);
  bad.holidays[0]!.workingWeekends = ['2027-01-04']; // a Monday
  const badPath = join(files, 'bad-2027.json');
  writeFileSync(badPath, JSON.stringify(bad));

  const result = await gongkai(stack, 'calendar', 'load', badPath);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain('holidays.0.workingWeekends.0');
  expect(await register.holidayNotices()).toEqual(storedBefore);
}, 30_000);

test('gongkai calendar load: a corrected notice moves open cases, the first one again moves them back, a repeat does nothing', async () => {
  const corrected: HolidayNotice = { ...synthetic2027, notice: { ...synthetic2027.notice, title: `${synthetic2027.notice.title}（更正）` } };
  const correctedPath = join(files, 'corrected-2027.json');
  writeFileSync(correctedPath, JSON.stringify(corrected));
  const firstVersion = effectiveCalendar(readHolidayNotices(), [synthetic2027]).version;
  const correctedVersion = effectiveCalendar(readHolidayNotices(), [corrected]).version;
  await untilVisibleAsOpen();

  const correction = await gongkai(stack, 'calendar', 'load', correctedPath, '--by', 'zrzy.head');
  expect(correction).toMatchObject({ code: 0, stdout: expect.stringContaining('2 open case(s) signalled') });
  expect(correction.stdout).toContain(`calendar version: ${correctedVersion}`);
  await viewsOnVersion(correctedVersion);

  // Back to the first notice: its earlier batch no longer counts, since the correction's came after it.
  const back = await gongkai(stack, 'calendar', 'load', SYNTHETIC_2027_PATH);
  expect(back).toMatchObject({ code: 0, stdout: expect.stringContaining('2 open case(s) signalled') });
  expect(back.stdout).toContain(`batch job: ${calendarBatchJobId(firstVersion)}-2\n`);
  await viewsOnVersion(firstVersion);

  const repeat = await gongkai(stack, 'calendar', 'load', SYNTHETIC_2027_PATH);
  expect(repeat.code).toBe(0);
  expect(repeat.stdout).toContain('already loaded with this content: nothing stored');
  expect(repeat.stdout).toContain('(started by an earlier load of this calendar)');
  const expectedBatches = [calendarBatchJobId(firstVersion), `${calendarBatchJobId(firstVersion)}-2`, calendarBatchJobId(correctedVersion)].sort();
  await eventually(async () => expect(await calendarBatchIds()).toEqual(expectedBatches));

  const listed = await gongkai(stack, 'calendar', 'list', '--json');
  const { calendarVersion, years } = JSON.parse(listed.stdout) as { calendarVersion: string; years: { year: number; status: string; source: string }[] };
  expect(calendarVersion).toBe(firstVersion);
  expect(years.find((row) => row.year === 2027)).toMatchObject({ status: 'official', source: expect.stringMatching(/^loaded/) });
}, 60_000);
