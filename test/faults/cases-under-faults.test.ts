import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import { loadHolidayNotice } from '../../cli/calendar';
import { effectiveCalendar, type WorkingDayCalendar } from '../../domain/calendar';
import { beijingDateOfMs } from '../../domain/dates';
import type { Register } from '../../register';
import { actOnCase, actorFor, resolvePayload } from '../../workers/case-client';
import { readHolidayNotices } from '../../workers/calendar-files';
import { createDataConverter } from '../../workers/connection';
import { submitApplication } from '../../workers/intake';
import { DEFAULT_CONFIG_PATH, loadConfig, type LoadedConfig } from '../../workers/load-config';
import { readMailIndex } from '../../workers/mail-capture';
import { openConfiguredRegister } from '../../workers/open-register';
import { caseViewQuery, REQUEST_WORKFLOW_TYPE, type CaseView } from '../../workflows/request/messages';
import { GONGKAI_SEARCH_ATTRIBUTES, Stage } from '../../workflows/search-attributes';
import { RestartableDevServer } from '../helpers/restartable-dev-server';
import { type ClientFailure, retryUntilApplied } from '../helpers/retry-until-applied';
import { SmtpCapture } from '../helpers/smtp-capture';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { noticeMakingWorkingDay } from '../helpers/working-day-notice';
import { type CaseSpec, type FaultName, planCases, policyFor, submissionConfig } from './case-mix';
import { type CrashWindow, tallyEmails } from './email-tally';
import { expectedWakeUpMs, timersOf } from './timers';

// Cases in flight (FAULT_CASES, 200 by default) on one dev server on its SQLite file, a real register, a real SMTP
// server on loopback and `gongkai worker` in a process of its own, through three faults in turn:
//   (a) the worker killed -9 while it sends reminders, and started again;
//   (b) the dev server stopped (SIGTERM) and started again on the same file while acts are in flight;
//   (c) the SMTP server down for a minute (FAULT_SMTP_OUTAGE_MS) while reminders and letters are due.
// Afterwards every case is where its acts put it, in the workflow, the register and the visibility store; every
// timer that came due fired and every open case waits on the instant its deadlines and reminder policy give; and
// the SMTP server received each expected email once, a second copy only in the email ledger's documented window.
//
// Deadline timers fire at the end of a Beijing day, which the real clock cannot be hurried to. Reminder timers fire
// at the minute the case's policy names: the groups of (b) and (c) get the minute their fault will be on, so that
// their wake-up timers come due while the server, or SMTP, is down. Everything is written for one Beijing day: the
// test waits if it would start within 15 minutes of midnight, when reminders of the next day would begin.

const TOTAL = Number(process.env.FAULT_CASES ?? 200);
const SMTP_OUTAGE_MS = Number(process.env.FAULT_SMTP_OUTAGE_MS ?? 60_000);
const RUN_BUDGET_MS = 15 * 60_000;
const WORKER_DOWN_MS = 2_000;
/**
 * The least time the dev server stays down (it also stays down past its group's reminder minute): longer than a
 * client's gRPC retries (10 attempts, about 20 s), so that callers see the outage as an error, not only as a delay.
 */
const SERVER_DOWN_MS = Number(process.env.FAULT_SERVER_DOWN_MS ?? 25_000);
/** Cases driven at once, as many people at their desks would. */
const CONCURRENCY = 8;
/**
 * The least time from choosing a fault's reminder minute to that minute: its group is submitted and assigned
 * meanwhile (16 s for 200 cases on 2 busy cores); the wait to the whole minute overlaps the last fault's catching up.
 */
const TIMER_LEAD_MS = Math.max(30_000, TOTAL * 150);
const CATCH_UP_BUDGET_MS = 240_000;
/** How long a run waits for emails in flight before it continues as new (workflows/request/letter-mail.ts). */
const SETTLE_TIMER_MS = 60_000;

let dir: string;
let server: RestartableDevServer;
let smtp: SmtpCapture;
let processEnv: NodeJS.ProcessEnv;
let config: LoadedConfig;
let register: Register;
let client: Client;
let worker: WorkerProcess;
let calendar: WorkingDayCalendar;
let specs: CaseSpec[];
/** What the driver saw each time Temporal did not answer (it sent the same call again). */
const failures: ClientFailure[] = [];
/** Every call that succeeded, with when it began and ended. */
const answered: { startedAt: number; endedAt: number }[] = [];
const probeFailures: ClientFailure[] = [];
const crashWindows: CrashWindow[] = [];
/** When each fault's reminder minute was (epoch ms). */
const reminderMinutes = new Map<FaultName, number>();
const catchUps: Promise<CatchUp>[] = [];
const figures: string[] = [];

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const ofFault = (fault: FaultName): CaseSpec[] => specs.filter((spec) => spec.group.fault === fault);
const ofGroup = (name: string): CaseSpec[] => specs.filter((spec) => spec.group.name === name);
const emailOf = (userId: string): string => config.users.find((user) => user.id === userId)!.email;
const beijingMinute = (ms: number): string => new Date(ms + 8 * 3_600_000).toISOString().slice(11, 16);
const waitUntil = async (ms: number): Promise<void> => void (ms > Date.now() && (await delay(ms - Date.now())));

/** Waits, if need be, so that the run (at most `runMs`) stays within one Beijing day and starts after 00:02. */
async function withinOneBeijingDay(runMs: number): Promise<void> {
  const intoDay = (Date.now() + 8 * 3_600_000) % 86_400_000;
  if (intoDay > 86_400_000 - runMs) await delay(86_400_000 - intoDay + 120_000);
  else if (intoDay < 120_000) await delay(120_000 - intoDay);
}

function setPolicies(cases: CaseSpec[], inTheFault?: number): void {
  for (const spec of cases) {
    const agencyPolicy = config.agencies.find((agency) => agency.code === spec.group.agencyCode)?.reminders;
    spec.policy = policyFor(spec.group, agencyPolicy, spec.group.reminders === 'in-the-fault' ? beijingMinute(inTheFault!) : '00:00');
  }
}

/** `call`, its successful attempts timed into `answered`. */
function timed<T>(call: () => Promise<T>): () => Promise<T> {
  return async () => {
    const startedAt = Date.now();
    const result = await call();
    answered.push({ startedAt, endedAt: Date.now() });
    return result;
  };
}

async function submit(spec: CaseSpec): Promise<void> {
  const deps = { client, register, config: submissionConfig(config, spec), continueAsNewAfterEvents: spec.group.continueAsNewAfterEvents };
  const submission = { submissionId: spec.submissionId, application: spec.application, registeredBy: spec.registeredBy };
  spec.caseNumber = (await retryUntilApplied(`submit ${spec.submissionId}`, timed(() => submitApplication(deps, submission)), failures)).caseNumber;
}

async function act(spec: CaseSpec): Promise<void> {
  for (const [index, { userId, action, data, updateId }] of spec.acts.entries()) {
    const options = { action, actor: actorFor(config, userId), data: resolvePayload(config, action, data), updateId };
    await retryUntilApplied(`act ${action} ${spec.caseNumber}`, timed(() => actOnCase(client, spec.caseNumber!, options)), failures);
    if (index + 1 === spec.group.pauseAfterActs) await waitingToContinueAsNew(spec.caseNumber!);
  }
}

/** Until the case's run has set its one-minute timer for emails in flight before continuing as new. */
async function waitingToContinueAsNew(caseNumber: string): Promise<void> {
  const waiting = async () => {
    const { events } = await client.workflow.getHandle(caseNumber).fetchHistory();
    return timersOf(events ?? []).some((timer) => timer.dueAt - timer.setAt === SETTLE_TIMER_MS && timer.firedAt === undefined && !timer.canceled);
  };
  for (const until = Date.now() + 60_000; !(await waiting()) && Date.now() < until; ) await delay(250);
}

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next < items.length) await work(items[next++]!); }));
}

/** When a worker next answers a query on `spec`'s case (a query is answered by a worker, not by the server). */
async function firstAnswer(spec: CaseSpec): Promise<number> {
  await retryUntilApplied(`query ${spec.caseNumber}`, () => client.workflow.getHandle(spec.caseNumber!).query(caseViewQuery), probeFailures, { pauseMs: 250 });
  return Date.now();
}

/** What of `cases` is not yet as expected, from the register and the SMTP server (cheap enough to poll). */
async function unmet(cases: readonly CaseSpec[]): Promise<string[]> {
  const numbers = cases.map((spec) => spec.caseNumber!);
  const rows = await register.store.db.selectFrom('gk_case').select(['case_number', 'stage', 'handler_id']).where('case_number', 'in', numbers).execute();
  const ledger = await register.emailLedger();
  const received = new Set(smtp.received.map((email) => email.messageId));
  const problems: string[] = [];
  for (const spec of cases) {
    const row = rows.find((r) => r.case_number === spec.caseNumber);
    if (row?.stage !== spec.expected.stage || row.handler_id !== spec.expected.handlerId) {
      problems.push(`${spec.caseNumber}: register ${row?.stage}/${row?.handler_id}, expected ${spec.expected.stage}/${spec.expected.handlerId}`);
    }
    const delivered = ledger.filter((r) => r.case_number === spec.caseNumber && r.status === 'sent' && received.has(r.message_id));
    if (delivered.length < spec.expected.emails.length) problems.push(`${spec.caseNumber}: ${delivered.length} of ${spec.expected.emails.length} emails delivered`);
  }
  return problems;
}

interface CatchUp {
  /** '(a) the kill': the phase and the moment timed from. */
  fault: string;
  /** From the fault to every case of its phase being as expected, or undefined if that did not happen in time. */
  ms: number | undefined;
  unmet: string[];
}

/** Polls until `cases` are as expected (register and received emails), timing from `since`. */
async function watchCatchUp(fault: string, cases: readonly CaseSpec[], since: number): Promise<CatchUp> {
  const giveUpAt = Date.now() + CATCH_UP_BUDGET_MS;
  for (;;) {
    const problems = await unmet(cases);
    if (problems.length === 0) return { fault, ms: Date.now() - since, unmet: [] };
    if (Date.now() > giveUpAt) return { fault, ms: undefined, unmet: problems };
    await delay(1_000);
  }
}

/** A one-line account of the calls in flight during [from, to]: answered late, or failed and what the caller was told. */
function clientView(from: number, to: number): string {
  const late = answered.filter((call) => call.startedAt <= to && call.endedAt >= from);
  const seen = failures.filter((f) => f.failedAt >= from && f.startedAt <= to);
  const kinds = new Map<string, number>();
  for (const f of seen) kinds.set(f.error.slice(0, 120), (kinds.get(f.error.slice(0, 120)) ?? 0) + 1);
  const longest = (durations: number[]) => seconds(Math.max(0, ...durations));
  return (
    `${late.length} calls in flight were answered, taking up to ${longest(late.map((c) => c.endedAt - c.startedAt))}; ` +
    (seen.length === 0
      ? 'none failed'
      : `${seen.length} failed after up to ${longest(seen.map((f) => f.failedAt - f.startedAt))} and were sent again with the same key: ${[...kinds].map(([e, n]) => `${n} × ${e}`).join('; ')}`)
  );
}

/** The warnings and errors in a worker's output: how many, and the first. */
function workerComplaints(output: string): string {
  // pino's JSON lines (levels 40, 50), and the SDK core's own lines (WARN, ERROR) on stderr.
  const complaints = output
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '') // terminal colours
    .split('\n')
    .filter((line) => /"level":(40|50)|\b(WARN|ERROR)\b/.test(line));
  if (complaints.length === 0) return 'logged no warning';
  return `logged ${complaints.length} warnings/errors, the first: ${complaints[0]!.slice(0, 200)}`;
}

beforeAll(async () => {
  await withinOneBeijingDay(RUN_BUDGET_MS);
  dir = mkdtempSync(join(tmpdir(), 'gongkai-faults-'));
  [server, smtp] = await Promise.all([RestartableDevServer.start(join(dir, 'temporal')), SmtpCapture.start()]);
  const demo = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  for (const agency of demo.agencies) agency.reminders = { ...agency.reminders, sendAt: '00:00' };
  // The daily digest goes to supervisors at a set minute: twelve hours away, it stays out of the email count.
  demo.digest = { at: beijingMinute(Date.now() + 12 * 3_600_000) };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(demo));
  processEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    GONGKAI_DATA_DIR: join(dir, 'data'),
    GONGKAI_CONFIG: join(dir, 'config.json'),
    GONGKAI_SMTP_PORT: String(smtp.port),
  };
  config = loadConfig({ env: processEnv }); // creates the data directory's keys before the worker reads them
  register = await openConfiguredRegister(config, processEnv);
  const connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.codecKeys) });
  const now = Date.now();
  const notice = noticeMakingWorkingDay(beijingDateOfMs(now));
  await loadHolidayNotice({ client, register, namespace: config.temporal.namespace, shippedNotices: readHolidayNotices }, notice, 'admin');
  calendar = effectiveCalendar(readHolidayNotices(), [notice]);
  specs = planCases(TOTAL, calendar, now);
  worker = await startWorkerProcess(processEnv);
}, RUN_BUDGET_MS + 180_000);

afterAll(async () => {
  console.log(`fault test figures (${specs?.length ?? 0} cases):\n  ${figures.join('\n  ')}`);
  await worker?.stop();
  await client?.connection.close();
  await register?.close();
  await server?.stop();
  await smtp?.close();
  if (process.env.FAULT_KEEP_DIR) console.log(`kept ${dir}`);
  else if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

test('(a) the worker killed -9 while it sends reminders, then started again', async () => {
  const cases = ofFault('worker-kill');
  setPolicies(cases);
  // The overdue cases first: their reminders are going out when the worker is killed.
  const overdue = cases.filter((spec) => spec.group.received === 'overdue');
  const driving = inParallel([...overdue, ...cases.filter((spec) => !overdue.includes(spec))], async (spec) => {
    await submit(spec);
    await act(spec);
  });
  const reminderEmails = overdue.reduce((sum, spec) => sum + spec.expected.emails.length, 0);
  const sentReminders = async () => (await register.emailLedger()).filter((row) => row.status === 'sent' && row.kind.startsWith('overdue:')).length;
  const killBy = Date.now() + 90_000;
  while ((await sentReminders()) < reminderEmails / 3 && Date.now() < killBy) await delay(100);

  const killedAt = Date.now();
  const sentBefore = await sentReminders();
  await worker.kill9();
  crashWindows.push({ name: 'worker killed -9', at: killedAt });
  await delay(WORKER_DOWN_MS);
  worker = await startWorkerProcess(processEnv);
  const runningAt = Date.now();
  const answeredAt = await firstAnswer(overdue[0] ?? cases[0]!);
  await driving;
  catchUps.push(watchCatchUp('(a) the kill', cases, killedAt));

  figures.push(
    `(a) worker killed -9 after ${sentBefore}/${reminderEmails} reminder emails of the overdue cases: down ${seconds(WORKER_DOWN_MS)}, ` +
      `new worker running ${seconds(runningAt - killedAt)} and answering ${seconds(answeredAt - killedAt)} after the kill; ` +
      `clients: ${clientView(killedAt, answeredAt)}`,
  );
}, 300_000);

test('(b) the dev server stopped (SIGTERM) and started again on its SQLite file while acts are in flight', async () => {
  const timed = ofGroup('overdue, reminder timer due while the server is down');
  const actedDuring = ofFault('server-restart').filter((spec) => spec.group.timing === 'acts-during');
  const reminderAt = Math.ceil((Date.now() + TIMER_LEAD_MS) / 60_000) * 60_000;
  reminderMinutes.set('server-restart', reminderAt);
  setPolicies([...timed, ...actedDuring], reminderAt);
  await inParallel([...timed, ...actedDuring], submit);
  await inParallel(timed, act);
  // Assigned after the reminder minute, a case would remind other people than expected: the machine is too slow.
  expect({ readyBeforeTheReminderMinute: Date.now() < reminderAt - 4_000 }).toEqual({ readyBeforeTheReminderMinute: true });
  await Promise.race([catchUps[0], waitUntil(reminderAt - 4_000)]);
  await waitUntil(reminderAt - 4_000);

  const pid = worker.pid;
  const outputBefore = worker.output().length;
  const stoppedAt = Date.now();
  const stopping = server.stop();
  // The acts go out as the server goes down.
  await delay(200);
  const acting = inParallel(actedDuring, act);
  const { stopMs } = await stopping;
  await waitUntil(Math.max(reminderAt + 3_000, Date.now() + SERVER_DOWN_MS));
  const restartAt = Date.now();
  const { portFreeMs, startMs } = await server.restart();
  const readyAt = Date.now();
  // The flags are ignored for an existing file: the attributes are there because startDevServer registered them.
  const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: config.temporal.namespace });
  expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(GONGKAI_SEARCH_ATTRIBUTES.map((key) => key.name)));
  // The worker process lived through it: its polls are retried until the server answers again.
  const answeredAt = await firstAnswer(timed[0]!);
  expect(worker.pid).toBe(pid);
  expect(worker.child.exitCode).toBeNull();
  await acting;
  // Every case started so far is listed again (visibility on the same file: temporalio/temporal#7919).
  const started = specs.filter((spec) => spec.caseNumber).length;
  const counted = async () => (await client.workflow.count(`WorkflowType = '${REQUEST_WORKFLOW_TYPE}' AND ExecutionStatus != 'ContinuedAsNew'`)).count;
  for (const until = Date.now() + 15_000; (await counted()) !== started && Date.now() < until; ) await delay(500);
  expect(await counted()).toBe(started);
  catchUps.push(watchCatchUp('(b) the server stopped', [...timed, ...actedDuring], stoppedAt));

  figures.push(
    `(b) dev server: SIGTERM to exit ${seconds(stopMs)}, down ${seconds(restartAt - stoppedAt)} (its reminder minute ${beijingMinute(reminderAt)} passed while down), ` +
      `port free after ${seconds(portFreeMs)}, ready (namespace, history, matching, search attributes) ${seconds(startMs)} after the start; ` +
      `the same worker answering ${seconds(answeredAt - readyAt)} after that (meanwhile it ${workerComplaints(worker.output().slice(outputBefore))}); ` +
      `clients: ${clientView(stoppedAt, readyAt)}`,
  );
}, 300_000);

test('(c) the SMTP server down while reminders and letters are due', async () => {
  const timed = ofGroup('overdue, reminder timer due while SMTP is down');
  const during = ofFault('smtp-outage').filter((spec) => spec.group.timing === 'during');
  const reminderAt = Math.ceil((Date.now() + TIMER_LEAD_MS) / 60_000) * 60_000;
  reminderMinutes.set('smtp-outage', reminderAt);
  setPolicies([...timed, ...during], reminderAt);
  await inParallel(timed, async (spec) => {
    await submit(spec);
    await act(spec);
  });
  expect({ readyBeforeTheReminderMinute: Date.now() < reminderAt - 5_000 }).toEqual({ readyBeforeTheReminderMinute: true });
  await Promise.race([catchUps[1], waitUntil(reminderAt - 5_000)]);
  await waitUntil(reminderAt - 5_000);

  const downAt = Date.now();
  await smtp.stop();
  crashWindows.push({ name: 'SMTP server stopped', at: Date.now() });
  const driving = inParallel(during, async (spec) => {
    await submit(spec);
    await act(spec);
  });
  await waitUntil(downAt + SMTP_OUTAGE_MS);
  await smtp.restart();
  const upAt = Date.now();
  await driving;
  catchUps.push(watchCatchUp('(c) SMTP came back', [...timed, ...during], upAt));

  await catchUps[2];
  // Emails the outage held back: first tried before SMTP came back, marked sent after.
  const heldBack = (await register.emailLedger()).filter((row) => Date.parse(row.reserved_at) < upAt && row.sent_at !== null && Date.parse(row.sent_at) >= upAt);
  figures.push(
    `(c) SMTP server down ${seconds(upAt - downAt)} from ${beijingMinute(downAt)} (its reminder minute ${beijingMinute(reminderAt)}): ` +
      `${heldBack.length} emails held back, tried up to ${Math.max(0, ...heldBack.map((row) => row.attempts))} times`,
  );
}, 480_000);

test('afterwards every case is where its acts put it: workflow, register and visibility agree', async () => {
  const results = await Promise.all(catchUps);
  for (const { fault, ms, unmet: left } of results) {
    figures.push(ms === undefined ? `${fault.slice(0, 3)} NOT caught up: ${left.slice(0, 5).join('; ')}` : `${fault.slice(0, 3)} every case of the phase as expected ${seconds(ms)} after ${fault.slice(4)}`);
  }
  expect(results.map(({ fault, unmet: left }) => [fault, left])).toEqual(results.map(({ fault }) => [fault, []]));

  const latestRuns = new Map<string, WorkflowExecutionInfo>();
  const listAll = async () => {
    for await (const info of client.workflow.list({ query: `WorkflowType = '${REQUEST_WORKFLOW_TYPE}' AND ExecutionStatus != 'ContinuedAsNew'` })) latestRuns.set(info.workflowId, info);
  };
  const problems: string[] = [];
  await inParallel(specs, async (spec) => {
    const caseNumber = spec.caseNumber!;
    const { stage, handlerId } = spec.expected;
    const row = await register.readCase(caseNumber);
    if (row?.stage !== stage || row.handler_id !== handlerId) problems.push(`${caseNumber}: register ${row?.stage}/${row?.handler_id}`);
    const handle = client.workflow.getHandle(caseNumber);
    const view: CaseView = await handle.query(caseViewQuery);
    if (view.stage !== stage || view.handlerId !== handlerId) problems.push(`${caseNumber}: workflow ${view.stage}/${view.handlerId}`);
    if (stage === 'archived' && (await handle.result()) !== 'archived') problems.push(`${caseNumber}: workflow did not complete as archived`);
    // Each act applied once, however often it was sent.
    for (const { action } of spec.acts) {
      const times = view.timeline.filter((entry) => entry.action === action).length;
      if (times !== 1) problems.push(`${caseNumber}: ${action} ${times} times in the timeline`);
    }
    if (spec.group.continueAsNewAfterEvents && view.runs < 2) problems.push(`${caseNumber}: did not continue as new (${view.runs} run)`);
  });
  // Visibility lags a little behind the workflows.
  for (const until = Date.now() + 15_000; ; await delay(1_000)) {
    await listAll();
    const stale = specs.filter((spec) => latestRuns.get(spec.caseNumber!)?.typedSearchAttributes.get(Stage) !== spec.expected.stage);
    if (stale.length === 0 || Date.now() > until) {
      for (const spec of stale) problems.push(`${spec.caseNumber}: visibility stage ${latestRuns.get(spec.caseNumber!)?.typedSearchAttributes.get(Stage)}`);
      break;
    }
  }
  expect(problems).toEqual([]);
}, 600_000);

test('every timer that came due fired, and every open case waits on its next deadline or reminder', async () => {
  const now = Date.now();
  const problems: string[] = [];
  let fired = 0;
  let settleTimersFired = 0;
  const firedAtReminderMinute = new Map<FaultName, number[]>();
  await inParallel(specs, async (spec) => {
    const caseNumber = spec.caseNumber!;
    const runs: { runId: string; closed: boolean }[] = [];
    for await (const info of client.workflow.list({ query: `WorkflowId = '${caseNumber}'` })) runs.push({ runId: info.runId, closed: info.status.name !== 'RUNNING' });
    for (const { runId, closed } of runs) {
      const { events } = await client.workflow.getHandle(caseNumber, runId).fetchHistory();
      const timers = timersOf(events ?? []);
      for (const timer of timers) {
        if (timer.firedAt !== undefined) fired += 1;
        if (timer.firedAt !== undefined && timer.dueAt - timer.setAt === SETTLE_TIMER_MS) settleTimersFired += 1;
        if (timer.dueAt < now - 5_000 && timer.firedAt === undefined && !timer.canceled) problems.push(`${caseNumber}: timer ${timer.timerId} due ${new Date(timer.dueAt).toISOString()} never fired`);
        const minute = reminderMinutes.get(spec.group.fault);
        if (spec.group.reminders === 'in-the-fault' && minute !== undefined && timer.firedAt !== undefined && Math.abs(timer.dueAt - minute) < 1_000) {
          firedAtReminderMinute.set(spec.group.fault, [...(firedAtReminderMinute.get(spec.group.fault) ?? []), timer.firedAt - minute]);
        }
      }
      const pending = timers.filter((timer) => timer.firedAt === undefined && !timer.canceled);
      if (closed) {
        if (pending.length) problems.push(`${caseNumber}: closed run ${runId} has ${pending.length} pending timers`);
        continue;
      }
      const view = await client.workflow.getHandle(caseNumber).query(caseViewQuery);
      const expected = expectedWakeUpMs(view, spec, calendar, now);
      const dueAts = pending.map((timer) => new Date(timer.dueAt).toISOString());
      if (expected === undefined ? pending.length !== 0 : pending.length !== 1 || Math.abs(pending[0]!.dueAt - expected) > 1_000) {
        problems.push(`${caseNumber} (${spec.group.name}): pending timers [${dueAts.join(', ')}], expected ${expected === undefined ? 'none' : new Date(expected).toISOString()}`);
      }
    }
  });
  for (const fault of ['server-restart', 'smtp-outage'] as const) {
    const timedCases = specs.filter((spec) => spec.group.fault === fault && spec.group.reminders === 'in-the-fault').length;
    const lateBy = firedAtReminderMinute.get(fault) ?? [];
    if (lateBy.length !== timedCases) problems.push(`${fault}: ${lateBy.length} of ${timedCases} reminder timers fired at ${beijingMinute(reminderMinutes.get(fault)!)}`);
    figures.push(`${fault}: ${lateBy.length} reminder timers due at ${beijingMinute(reminderMinutes.get(fault)!)} fired ${seconds(Math.min(...lateBy))}–${seconds(Math.max(...lateBy))} after it`);
  }
  figures.push(`timers: ${fired} fired in all (${settleTimersFired} of them a run's one-minute wait for emails in flight before continuing as new)`);
  expect(problems).toEqual([]);
}, 600_000);

test('the SMTP server received exactly the expected emails: none lost, none twice outside the crash window', async () => {
  const ledger = await register.emailLedger();
  const { entries, unreadableLines } = readMailIndex(smtp.directory);
  const tally = tallyEmails(specs, emailOf, ledger, entries, crashWindows);
  const windows = crashWindows.map(({ name }) => `${name} ${tally.duplicates.filter((d) => d.window === name).length}`).join(', ');
  figures.push(
    `emails: expected ${tally.expected}, received ${tally.received} (${tally.distinct} distinct Message-IDs), ` +
      `twice in the crash window: ${windows}; other emails (not about a case): ${tally.others}`,
  );
  for (const d of tally.duplicates) {
    figures.push(`  twice (${d.window}): ${d.caseNumber} ${d.kind} ${d.messageId}, first accepted ${seconds(d.acceptedBeforeMs)} before the fault`);
  }
  expect(unreadableLines).toBe(0);
  expect(tally.problems).toEqual([]);
  expect(tally.distinct).toBe(tally.expected);
}, 120_000);
