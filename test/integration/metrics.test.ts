import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDay, effectiveCalendar } from '../../domain/calendar';
import { addDays, beijingDateOfMs } from '../../domain/dates';
import { readHolidayNotices } from '../../workers/calendar-files';
import { PROJECT_ROOT } from '../../workers/config';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../workers/load-config';
import { gongkai, type StackEnv, type StartedStack, startStack, stopWithCtrlC } from '../helpers/local-stack';
import { freePort } from '../helpers/ports';
import { noticeMakingWorkingDay } from '../helpers/working-day-notice';

// The application metrics on the worker's Prometheus endpoint, scraped from a real `gongkai start` process: a request
// received 25 working days ago is registered (its receipt rendered), is overdue at once, and its overdue emails go out.
// The gauges are polled every second here (GONGKAI_METRICS_POLL_SECONDS). As in reminders-local-stack.test.ts, the
// agency sends at 00:00 and a notice loaded for this year makes today a working day, so this holds on any day and hour.

const example = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'application-in-person.json'), 'utf8'));
const PERSONAL_DATA = [example.application.applicant.name, example.application.applicant.idDocument.number, example.application.contact.phone];
const POLL_VARIABLES = { GONGKAI_METRICS_POLL_SECONDS: '1', GONGKAI_STUCK_CHECK_SECONDS: '1' };

let stack: StackEnv;
let started: StartedStack | undefined;
let files: string;
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  files = mkdtempSync(join(tmpdir(), 'gongkai-metrics-'));
  const config = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  for (const agency of config.agencies) agency.reminders = { ...agency.reminders, sendAt: '00:00' };
  const configPath = join(files, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  // startStack passes this process's environment on to `gongkai start`.
  for (const [name, value] of Object.entries(POLL_VARIABLES)) {
    savedEnv[name] = process.env[name];
    process.env[name] = value;
  }
  stack = { dataDir: join(files, 'data'), address: `127.0.0.1:${await freePort()}`, configPath, metricsPort: await freePort() };
  started = await startStack(stack);
}, 120_000);

afterAll(async () => {
  if (started) await stopWithCtrlC(started);
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(files, { recursive: true, force: true });
}, 60_000);

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of one metric in Prometheus's text format. */
function samplesOf(scraped: string, name: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of scraped.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    samples.push({ labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `labels`. */
const total = (scraped: string, name: string, labels: Record<string, string> = {}): number =>
  samplesOf(scraped, name)
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);

const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${stack.metricsPort}/metrics`)).text();

/** The endpoint's text once `ready` holds (the gauges are polled, the emails sent in the background), or after a minute. */
async function scrapeWhen(ready: (scraped: string) => boolean): Promise<string> {
  let scraped = await scrape();
  for (let tries = 0; tries < 120 && !ready(scraped); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    scraped = await scrape();
  }
  return scraped;
}

test('a registered, overdue case shows in gongkai_* metrics on the worker Prometheus endpoint', async () => {
  const before = await scrapeWhen((text) => samplesOf(text, 'gongkai_open_cases').length > 0);
  expect(samplesOf(before, 'gongkai_open_cases')).toContainEqual({ labels: { agency: 'LYG-ZRZY', stage: 'registered' }, value: 0 });

  const today = beijingDateOfMs(Date.now());
  const notice = noticeMakingWorkingDay(today);
  const noticeFile = join(files, 'notice.json');
  writeFileSync(noticeFile, JSON.stringify(notice));
  expect((await gongkai(stack, 'calendar', 'load', noticeFile)).code).toBe(0);
  const calendar = effectiveCalendar(readHolidayNotices(), [notice]);
  let received = today;
  for (let counted = 0; counted < 25; ) {
    received = addDays(received, -1);
    if (describeDay(calendar, received).working) counted += 1;
  }
  const file = join(files, 'late.json');
  writeFileSync(file, JSON.stringify({ submissionId: 'metrics-late-0001', application: { ...example.application, channel: { kind: 'in-person', submittedAt: `${received}T10:00:00+08:00` } } }));
  expect((await gongkai(stack, 'submit', file, '--as', 'zrzy.registrar')).code).toBe(0);

  // The overdue emails: the reply (5 working days over) and the 补正 notice (18), each to the office head and the
  // supervisor (reminders-local-stack.test.ts); the receipt in PDF and DOCX; the gauges at their next poll.
  const scraped = await scrapeWhen(
    (text) =>
      total(text, 'gongkai_reminders_sent_total', { outcome: 'sent' }) >= 4 &&
      total(text, 'gongkai_documents_rendered_total', { document_type: 'receipt' }) >= 2 &&
      total(text, 'gongkai_open_cases', { agency: 'LYG-ZRZY', stage: 'registered' }) === 1 &&
      total(text, 'gongkai_overdue_cases', { agency: 'LYG-ZRZY' }) === 1,
  );

  expect(samplesOf(scraped, 'gongkai_open_cases')).toContainEqual({ labels: { agency: 'LYG-ZRZY', stage: 'registered' }, value: 1 });
  expect(total(scraped, 'gongkai_open_cases')).toBe(1);
  expect(samplesOf(scraped, 'gongkai_overdue_cases')).toEqual(
    expect.arrayContaining([
      { labels: { agency: 'LYG-ZRZY' }, value: 1 },
      { labels: { agency: 'LYG-ZFB' }, value: 0 },
      { labels: { agency: 'LYG-SHJ' }, value: 0 },
    ]),
  );
  for (const format of ['pdf', 'docx']) {
    expect(total(scraped, 'gongkai_documents_rendered_total', { document_type: 'receipt', format, activityType: 'produceNoticeLetter' })).toBe(1);
  }
  expect(total(scraped, 'gongkai_reminders_sent_total', { agency: 'LYG-ZRZY', kind: 'overdue', outcome: 'sent' })).toBe(4);
  expect(new Set(samplesOf(scraped, 'gongkai_reminders_sent_total').map((s) => s.labels.deadline)).size).toBe(2);
  expect(samplesOf(scraped, 'gongkai_stuck_cases')).toContainEqual({ labels: { agency: 'LYG-ZRZY' }, value: 0 });
  // The SDK's own metrics on the same endpoint, and no personal data in any label.
  expect(scraped).toMatch(/^temporal_workflow_completed\b|^temporal_\w+/m);
  for (const text of PERSONAL_DATA) expect(scraped).not.toContain(text);
}, 120_000);

test('monitoring settings: defaults, the environment over the file, a bad value refused by field and variable', () => {
  const env = (more: NodeJS.ProcessEnv) => ({ GONGKAI_DATA_DIR: files, ...more });
  expect(loadConfig({ env: env({}) }).monitoring).toEqual({ metricsPollSeconds: 60, stuckCheckSeconds: 300, stuckAfterAttempts: 5 });
  expect(loadConfig({ env: env({ GONGKAI_STUCK_CHECK_SECONDS: '0', GONGKAI_STUCK_AFTER_ATTEMPTS: '3' }) }).monitoring).toEqual({ metricsPollSeconds: 60, stuckCheckSeconds: 0, stuckAfterAttempts: 3 });
  expect(() => loadConfig({ env: env({ GONGKAI_METRICS_POLL_SECONDS: 'soon' }) })).toThrow(/monitoring\.metricsPollSeconds（环境变量 GONGKAI_METRICS_POLL_SECONDS）/);
  expect(() => loadConfig({ env: env({ GONGKAI_STUCK_AFTER_ATTEMPTS: '1' }) })).toThrow(/monitoring\.stuckAfterAttempts（环境变量 GONGKAI_STUCK_AFTER_ATTEMPTS）/);
});
