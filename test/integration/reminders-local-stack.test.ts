import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDay, effectiveCalendar, isWorkingDay } from '../../domain/calendar';
import { addDays, beijingDateOfMs } from '../../domain/dates';
import { readHolidayNotices } from '../../workers/calendar-files';
import { PROJECT_ROOT } from '../../workers/config';
import { DEFAULT_CONFIG_PATH } from '../../workers/load-config';
import { gongkai, type StackEnv, type StartedStack, startStack, stopWithCtrlC } from '../helpers/local-stack';
import { freePort } from '../helpers/ports';
import { noticeMakingWorkingDay } from '../helpers/working-day-notice';

// `npm start` on the real clock: a request received 25 working days ago is overdue on registration, and its overdue
// emails land in the local mail capture at once; a restart sends none of them again. So that this holds on any day
// and hour the suite runs, the agency sends at 00:00 and a holiday notice loaded for this year makes today a working
// day (a 调休 make-up day if it is a weekend). The 08:30 send time and non-working days are tested on the
// time-skipping server (test/workflow/reminders.test.ts).

const example = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'application-in-person.json'), 'utf8'));
let stack: StackEnv;
let started: StartedStack | undefined;
let files: string;

beforeAll(async () => {
  files = mkdtempSync(join(tmpdir(), 'gongkai-reminders-'));
  const config = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  for (const agency of config.agencies) agency.reminders = { ...agency.reminders, sendAt: '00:00' };
  const configPath = join(files, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  stack = { dataDir: join(files, 'data'), address: `127.0.0.1:${await freePort()}`, configPath };
  started = await startStack(stack);
}, 120_000);

afterAll(async () => {
  if (started) await stopWithCtrlC(started);
  rmSync(files, { recursive: true, force: true });
}, 60_000);

interface MailEntry {
  to: string[];
  subject: string;
  messageId: string;
}

async function mailOf(caseNumber: string): Promise<MailEntry[]> {
  const { stdout } = await gongkai(stack, 'mail', 'list', '--json');
  const entries = stdout.trim() === '' ? [] : (JSON.parse(stdout) as MailEntry[]);
  return entries.filter((entry) => entry.subject.includes(caseNumber));
}

test('a request received 25 working days ago: its overdue emails in the local capture, once', async () => {
  const today = beijingDateOfMs(Date.now());
  const notice = noticeMakingWorkingDay(today);
  const noticeFile = join(files, 'notice.json');
  writeFileSync(noticeFile, JSON.stringify(notice));
  expect((await gongkai(stack, 'calendar', 'load', noticeFile)).code).toBe(0);
  const calendar = effectiveCalendar(readHolidayNotices(), [notice]);
  expect(isWorkingDay(calendar, today)).toBe(true);

  let received = today;
  for (let counted = 0; counted < 25; ) {
    received = addDays(received, -1);
    if (describeDay(calendar, received).working) counted += 1;
  }
  const file = join(files, 'late.json');
  writeFileSync(file, JSON.stringify({ submissionId: 'reminders-late-0001', application: { ...example.application, channel: { kind: 'in-person', submittedAt: `${received}T10:00:00+08:00` } } }));
  const caseNumber = (await gongkai(stack, 'submit', file, '--as', 'zrzy.registrar')).stdout.trim();

  // Unassigned: the handler's reminders go to the office head. The reply is 5 working days overdue, the 补正 notice 18.
  const expected = [
    ['supervisor@lyg.example.cn', '已逾期18个工作日'],
    ['supervisor@lyg.example.cn', '已逾期5个工作日'],
    ['zrzy.head@lyg.example.cn', '已逾期18个工作日'],
    ['zrzy.head@lyg.example.cn', '已逾期5个工作日'],
  ];
  const summary = async () =>
    (await mailOf(caseNumber)).map((entry) => [entry.to.join(','), /已逾期\d+个工作日/.exec(entry.subject)?.[0] ?? entry.subject]).sort((a, b) => `${a}`.localeCompare(`${b}`));
  for (let tries = 0; tries < 60 && (await mailOf(caseNumber)).length < expected.length; tries++) await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await summary()).toEqual(expected);

  // Stopped and started again on the same data: the case resumes and sends none of today's emails again.
  await stopWithCtrlC(started!);
  started = undefined;
  started = await startStack(stack);
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const again = await mailOf(caseNumber);
  expect(again).toHaveLength(expected.length);
  expect(new Set(again.map((entry) => entry.messageId)).size).toBe(expected.length);
}, 120_000);
