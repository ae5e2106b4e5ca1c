import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type HolidayNotice, holidayNoticeSchema, isWorkingDay, nthWorkingDayAfter, type WorkingDayCalendar } from '../../domain/calendar';
import { addDays, beijingDateOfMs, type IsoDate, isWeekend, toEpochDay, yearOf } from '../../domain/dates';
import type { Register } from '../../register';
import { actOnCase, actorFor, resolvePayload } from '../../workers/case-client';
import { listOpenCases, type OpenCaseFilters, workingDayCalendar } from '../../workers/case-list';
import { PROJECT_ROOT } from '../../workers/config';
import { digestScheduleId, ensureDigestSchedules, startDigestSchedules } from '../../workers/digest-schedules';
import { submitApplication } from '../../workers/intake';
import { DEFAULT_CONFIG_PATH, loadConfig, type LoadedConfig } from '../../workers/load-config';
import { createMailTransport } from '../../workers/mail-transport';
import { createActivities, WORKFLOWS_PATH } from '../../workers/worker';
import type { DailyDigestResult } from '../../workflows/digest';
import { eventually } from '../helpers/request-harness';
import { createTestStore, randomSubmissionId, type TestStore } from '../helpers/register';
import { SmtpCapture } from '../helpers/smtp-capture';
import { bundleTestWorkflows, createDevServerEnv, testDataConverter, uniqueTaskQueue } from '../helpers/temporal-env';

// The daily digest on the real dev server (schedules, visibility) and the real clock, with a real register and a real
// SMTP server on loopback. Whether today is a working day is set by a holiday notice loaded into the register, as
// `gongkai calendar load` would, so the test holds on any day and hour it runs (tomorrow is set the same way, in case
// a run starts after midnight Beijing time).

/** The full-width space (U+3000) between a case's fields in the text digest. */
const GAP = '\u3000';
const AGENCIES = ['LYG-ZFB', 'LYG-SHJ', 'LYG-ZRZY'];
const example = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'application-in-person.json'), 'utf8')).application;

let files: string;
let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let store: TestStore;
let register: Register;
let config: LoadedConfig;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  files = mkdtempSync(join(tmpdir(), 'gongkai-digest-'));
  let workflowBundle: WorkflowBundleWithSourceMap;
  [env, workflowBundle, smtp, store] = await Promise.all([createDevServerEnv(), bundleTestWorkflows(WORKFLOWS_PATH), SmtpCapture.start(), createTestStore('sqlite')]);
  register = await store.open();
  // The demo configuration with a supervisor of LYG-ZRZY's own and one of LYG-ZFB's (who must not get LYG-ZRZY's
  // digest), no reminders (their emails are not what this tests), and due-soon reaching 8 working days.
  const file = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  const passwordHash = file.users[0].passwordHash;
  file.users.push(
    { id: 'zrzy.supervisor', name: '资规督办', email: 'zrzy.supervisor@lyg.example.cn', roles: ['supervisor'], agencyCode: 'LYG-ZRZY', passwordHash },
    { id: 'zfb.supervisor', name: '政府办督办', email: 'zfb.supervisor@lyg.example.cn', roles: ['supervisor'], agencyCode: 'LYG-ZFB', passwordHash },
  );
  for (const agency of file.agencies) agency.reminders = { beforeDue: [], overdue: [] };
  file.digest = { dueWithinWorkingDays: 8 };
  const configPath = join(files, 'config.json');
  writeFileSync(configPath, JSON.stringify(file));
  const loaded = loadConfig({ path: configPath, env: { GONGKAI_DATA_DIR: files } });
  config = { ...loaded, temporal: { ...loaded.temporal, taskQueue: uniqueTaskQueue('digest') }, smtp: { ...loaded.smtp, host: '127.0.0.1', port: smtp.port } };
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: config.temporal.taskQueue,
    workflowBundle,
    activities: createActivities({ config, register, transport: createMailTransport(config.smtp) }),
    dataConverter: testDataConverter(),
  });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await register?.close();
  await store?.destroy();
  await env?.teardown();
  await smtp?.close();
  rmSync(files, { recursive: true, force: true });
}, 60_000);

const digests = () => smtp.received.filter((email) => email.subject?.startsWith('【每日督办】'));

/** A weekday of `year` more than 90 days from `near`: a holiday there changes nothing the test looks at. */
function farWeekday(year: number, near: IsoDate): IsoDate {
  const far = (day: IsoDate) => Math.abs(toEpochDay(day) - toEpochDay(near)) > 90 && !isWeekend(day);
  for (let day = `${year}-01-01`; yearOf(day) === year; day = addDays(day, 1)) if (far(day)) return day;
  throw new Error(`no weekday in ${year} far from ${near}`);
}

/** Holiday notices (one per year touched) that make each of `days` a working day, or each a day off. */
function noticesMaking(days: IsoDate[], working: boolean): HolidayNotice[] {
  return [...new Set(days.map(yearOf))].map((year) => {
    const inYear = days.filter((day) => yearOf(day) === year).sort();
    const dayOff = farWeekday(year, inYear[0]!);
    return holidayNoticeSchema.parse({
      year,
      status: 'official',
      notice: { title: `测试用 ${year} 年节假日安排`, number: null, published: `${year}-01-01`, url: 'https://example.invalid/test-notice' },
      holidays: working
        ? [{ name: '测试', off: [dayOff, dayOff], workingWeekends: inYear.filter(isWeekend) }]
        : [{ name: '测试', off: [inYear[0], inYear[inYear.length - 1]], workingWeekends: [] }],
    });
  });
}

/** Loads the notices into the register; returns the calendar every process now computes with. */
async function loadNotices(notices: HolidayNotice[]): Promise<WorkingDayCalendar> {
  for (const notice of notices) {
    await register.saveHolidayNotice({ year: notice.year, notice, digest: `test-${notice.year}-${JSON.stringify(notice).length}`, loadedBy: 'admin', loadedAt: new Date().toISOString() });
  }
  return workingDayCalendar(register);
}

/** Triggers the agency's schedule now and waits for the run it starts; returns its workflow id and result. */
async function triggerDigest(agencyCode: string): Promise<{ workflowId: string; result: DailyDigestResult }> {
  const handle = env.client.schedule.getHandle(digestScheduleId(agencyCode));
  const earlier = new Set((await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId));
  // The schedule's own policy (SKIP) would drop this trigger while the server still counts the previous run as
  // running: it learns of a run's end a moment later (seen in CI: the second of two back-to-back triggers skipped).
  await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  let workflowId = '';
  await eventually(async () => {
    const started = (await handle.describe()).info.recentActions.find((a) => !earlier.has(a.action.workflow.workflowId));
    if (!started) throw new Error('the triggered run has not started yet');
    workflowId = started.action.workflow.workflowId;
  }, 15_000);
  return { workflowId, result: await env.client.workflow.getHandle(workflowId).result() };
}

test('the schedules: one per agency however many workers start at once, updated in place at 09:00 Beijing time', async () => {
  // Three workers start together with an older configuration (07:30): one creates each schedule, the others update it.
  const early = { ...config, digest: { ...config.digest, at: '07:30' } };
  const racing = await Promise.all([1, 2, 3].map(() => ensureDigestSchedules(env.client, early)));
  for (const code of AGENCIES) {
    const outcomes = racing.map((ensured) => ensured.find((s) => s.agencyCode === code)?.outcome).sort();
    expect(outcomes).toEqual(['created', 'updated', 'updated']);
  }
  // An operator pauses one agency's digest; the next start updates every schedule to 09:00 and keeps the pause.
  const paused = env.client.schedule.getHandle(digestScheduleId('LYG-SHJ'));
  // The server's scheduler workflow applies the signals of one task patch first, then update (temporal v1.29.1,
  // service/worker/scheduler/workflow.go processSignals): while the racing workers' last update is still pending it
  // overwrites a pause sent now, so the operator (as here) sees the schedule unpaused and pauses it again.
  await eventually(async () => {
    await paused.pause('paused by the office');
    await eventually(async () => expect((await paused.describe()).state.paused).toBe(true), 3_000);
  }, 30_000);
  const again = await ensureDigestSchedules(env.client, config);
  expect(again.map((s) => s.outcome)).toEqual(['updated', 'updated', 'updated']);
  const stop = await startDigestSchedules({ config, client: env.client });
  await stop();

  let listed: { scheduleId: string; hours: unknown; minutes: unknown; timezone: unknown }[] = [];
  await eventually(async () => {
    listed = [];
    for await (const s of env.client.schedule.list()) {
      listed.push({ scheduleId: s.scheduleId, hours: s.spec?.calendars?.[0]?.hour, minutes: s.spec?.calendars?.[0]?.minute, timezone: s.spec?.timezone });
    }
    expect(listed.map((s) => s.hours)).toEqual(AGENCIES.map(() => [{ start: 9, end: 9, step: 1 }]));
  }, 15_000);
  expect(listed.map((s) => s.scheduleId).sort()).toEqual(AGENCIES.map(digestScheduleId).sort());
  for (const s of listed) expect(s).toMatchObject({ minutes: [{ start: 0, end: 0, step: 1 }], timezone: 'Asia/Shanghai' });

  for (const code of AGENCIES) {
    const described = await env.client.schedule.getHandle(digestScheduleId(code)).describe();
    expect(described.state.paused).toBe(code === 'LYG-SHJ');
    expect(described.policies.overlap).toBe('SKIP');
    expect(described.action).toMatchObject({ workflowType: 'dailyDigestWorkflow', taskQueue: config.temporal.taskQueue, args: [{ agencyCode: code, dueWithinWorkingDays: 8 }] });
    // The server resolves Asia/Shanghai: 09:00 there is 01:00 UTC, every day.
    if (code !== 'LYG-SHJ') {
      expect(described.info.nextActionTimes.length).toBeGreaterThan(1);
      for (const at of described.info.nextActionTimes) expect(at.toISOString()).toMatch(/T01:00:00\.000Z$/);
    }
  }
}, 60_000);

test('on a day that is not a working day the triggered run sends nothing', async () => {
  const today = beijingDateOfMs(Date.now());
  const calendar = await loadNotices(noticesMaking([today, addDays(today, 1)], false));
  expect(isWorkingDay(calendar, today)).toBe(false);

  const { result } = await triggerDigest('LYG-ZRZY');
  expect(result).toMatchObject({ agencyCode: 'LYG-ZRZY', workingDay: false, sent: null });
  expect([today, addDays(today, 1)]).toContain(result.day);
  expect(digests()).toEqual([]);
}, 60_000);

test('on a working day, two triggered runs: one digest per supervisor, listing the overdue, due-soon and paused cases', async () => {
  const today = beijingDateOfMs(Date.now());
  const calendar = await loadNotices(noticesMaking([today, addDays(today, 1)], true));
  expect(isWorkingDay(calendar, today)).toBe(true);

  /** The working day `offset` working days from today (negative: before). */
  const workingDayFrom = (offset: number): IsoDate => {
    if (offset > 0) return nthWorkingDayAfter(calendar, today, offset).date;
    let day = today;
    for (let counted = 0; counted < -offset; ) if (isWorkingDay(calendar, (day = addDays(day, -1)))) counted += 1;
    return day;
  };
  /** A working day of receipt whose 20-working-day reply deadline is `due`. */
  const receivedFor = (due: IsoDate): IsoDate => {
    for (let day = addDays(today, -1); day > addDays(today, -90); day = addDays(day, -1)) {
      if (isWorkingDay(calendar, day) && nthWorkingDayAfter(calendar, day, 20).date === due) return day;
    }
    throw new Error(`no receipt date for a deadline on ${due}`);
  };
  const submit = async (agencyCode: string, submittedAt: string): Promise<string> => {
    const application = { ...example, agencyCode, channel: { kind: 'in-person', submittedAt } };
    return (await submitApplication({ client: env.client, register, config }, { submissionId: randomSubmissionId(), application, registeredBy: agencyCode === 'LYG-ZFB' ? 'zfb.registrar' : 'zrzy.registrar' })).caseNumber;
  };
  const act = (caseNumber: string, userId: string, action: string, data: unknown) =>
    actOnCase(env.client, caseNumber, { action, actor: actorFor(config, userId), data: resolvePayload(config, action, data) });

  const overdue = await submit('LYG-ZRZY', `${receivedFor(workingDayFrom(-5))}T10:00:00+08:00`);
  const dueIn2 = await submit('LYG-ZRZY', `${receivedFor(workingDayFrom(2))}T10:00:00+08:00`);
  await act(dueIn2, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler2' });
  const dueIn7 = await submit('LYG-ZRZY', `${receivedFor(workingDayFrom(7))}T10:00:00+08:00`);
  const dueIn12 = await submit('LYG-ZRZY', `${receivedFor(workingDayFrom(12))}T10:00:00+08:00`);
  const otherAgencyOverdue = await submit('LYG-ZFB', `${receivedFor(workingDayFrom(-5))}T10:00:00+08:00`);
  // Paused: a third party is consulted (Art. 32), dated the day of receipt.
  const pausedSubmittedAt = new Date(Date.now() - 60_000).toISOString();
  const pausedOn = beijingDateOfMs(Date.parse(pausedSubmittedAt));
  const paused = await submit('LYG-ZRZY', pausedSubmittedAt);
  for (const [userId, action, data] of [
    ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
    ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
    ['zrzy.handler1', 'decide-scope', { decision: 'gip-request' }],
    ['zrzy.handler1', 'record-search', { result: 'found', searchedOn: pausedOn, places: ['档案室'], keywords: ['规划条件'] }],
    ['zrzy.handler1', 'start-third-party-consultation', { consultationId: 'tp-1', letterSentOn: pausedOn, consulteeReceivedOn: pausedOn, about: '附件中自然人的联系电话', consulteeName: '王五', consulteeType: 'natural-person', interest: 'personal-privacy', contact: '信息公开科' }],
  ] as const) {
    await act(paused, userId, action, data);
  }

  // The lists come from the visibility store, which follows the workflows within a second or so.
  const listed = async (filters: OpenCaseFilters) => (await listOpenCases(env.client, register, { agency: 'LYG-ZRZY', ...filters })).map((row) => row.caseNumber).sort();
  await eventually(async () => {
    expect(await listed({ overdue: true })).toEqual([overdue]);
    expect(await listed({ dueWithin: 8 })).toEqual([dueIn2, dueIn7].sort());
    expect(await listed({ paused: true })).toEqual([paused]);
    expect((await listOpenCases(env.client, register, { agency: 'LYG-ZRZY', handler: 'zrzy.handler2' })).map((row) => row.stage)).toEqual(['completeness-check']);
  }, 20_000);

  const first = await triggerDigest('LYG-ZRZY');
  expect(first.result).toMatchObject({ workingDay: true, sent: { counts: { overdue: 1, dueSoon: 2, paused: 1 }, emails: { sent: 2, 'already-sent': 0, rejected: 0 } } });
  const second = await triggerDigest('LYG-ZRZY');
  expect(second.workflowId).not.toBe(first.workflowId);
  expect(second.result).toMatchObject({ day: first.result.day, sent: { emails: { sent: 0, 'already-sent': 2, rejected: 0 } } });

  await eventually(async () => expect(digests()).toHaveLength(2));
  const received = digests().sort((a, b) => a.to.join().localeCompare(b.to.join()));
  expect(received.map((email) => email.to)).toEqual([['supervisor@lyg.example.cn'], ['zrzy.supervisor@lyg.example.cn']]);
  expect(new Set(received.map((email) => email.messageId)).size).toBe(2);
  for (const email of received) {
    expect(email.subject).toBe(`【每日督办】LYG-ZRZY ${first.result.day}：逾期1件，即将到期2件，暂停1件`);
    const text = email.text ?? '';
    for (const listedCase of [overdue, dueIn2, dueIn7, paused]) {
      expect(text).toContain(`${config.web.publicUrl}/cases/${listedCase}`);
      expect(email.html).toContain(`<a href="${config.web.publicUrl}/cases/${listedCase}">${listedCase}</a>`);
    }
    expect(text).toContain(`${overdue}${GAP}已登记${GAP}承办人：未分派${GAP}答复期限：${workingDayFrom(-5)}`);
    expect(text).toContain(`${dueIn2}${GAP}申请审查${GAP}承办人：zrzy.handler2${GAP}答复期限：${workingDayFrom(2)}`);
    expect(text).toContain(`${paused}${GAP}内容研判决定${GAP}承办人：zrzy.handler1${GAP}答复期限：计时暂停`);
    expect(text).toContain('二、即将到期（8个工作日内到期）：2件');
    for (const notListed of [dueIn12, otherAgencyOverdue]) expect(text).not.toContain(notListed);
    // Case numbers and staff ids only: nothing of the applicant's (or the consulted third party's).
    for (const personal of [example.applicant.name, example.applicant.idDocument.number, example.contact.phone, '王五']) {
      expect(text).not.toContain(personal);
      expect(email.html).not.toContain(personal);
    }
  }
  expect(received.map((email) => email.text).filter((text) => text?.startsWith('资规督办：'))).toHaveLength(1);
}, 120_000);
