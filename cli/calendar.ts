import { createHash } from 'node:crypto';
import { Command } from '@commander-js/extra-typings';
import type { Client } from '@temporalio/client';
import { effectiveCalendar, type HolidayNotice, holidayNoticeSchema } from '../domain/calendar';
import { beijingDateOfMs } from '../domain/dates';
import type { Register } from '../register';
import { BatchStillRunningError, signalOpenCases, type StartedBatch, waitForBatch } from '../workers/calendar-broadcast';
import { readHolidayNotice, readHolidayNotices } from '../workers/calendar-files';
import { loadConfig } from '../workers/load-config';
import { openConfiguredRegister } from '../workers/open-register';
import { withSession } from './session';
import { wholeNumberOption } from './options';

// Holiday notices (国务院办公厅关于YYYY年部分节假日安排的通知): the shipped ones in config/calendar, and those an
// operator loads into the register when the State Council publishes next year's, before an upgrade ships it.

/** The register's digest of a notice: sha256 of its canonical JSON (keys sorted), so formatting does not count. */
export function holidayNoticeDigest(notice: HolidayNotice): string {
  return createHash('sha256').update(canonicalJson(notice)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, v]) => `${JSON.stringify(key)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface LoadNoticeDeps {
  client: Client;
  register: Pick<Register, 'holidayNotices' | 'saveHolidayNotice'>;
  namespace: string;
  shippedNotices: () => HolidayNotice[];
  now?: () => Date;
}

export interface LoadedNotice {
  year: number;
  /** False when the register already held this very notice for the year (a repeated load). */
  stored: boolean;
  /** The notice replaces one shipped with gongkai for its year. */
  replacesShipped: boolean;
  /** The calendar version open cases move to (their case view's `calendarVersion`). */
  calendarVersion: string;
  batch: StartedBatch;
}

/**
 * Stores a validated notice in the register (unless it holds the same one already) and starts the batch that has
 * every open case reload its calendar. Repeating a load stores nothing and starts no second batch; after a failure
 * in between, repeating it finishes the job.
 */
export async function loadHolidayNotice(deps: LoadNoticeDeps, notice: HolidayNotice, loadedBy: string): Promise<LoadedNotice> {
  const loaded = (await deps.register.holidayNotices()).map((stored) => holidayNoticeSchema.parse(stored));
  const digest = holidayNoticeDigest(notice);
  const previous = loaded.find((n) => n.year === notice.year);
  const stored = !previous || holidayNoticeDigest(previous) !== digest;
  if (stored) {
    const loadedAt = (deps.now?.() ?? new Date()).toISOString();
    await deps.register.saveHolidayNotice({ year: notice.year, notice, digest, loadedBy, loadedAt });
  }
  const shipped = deps.shippedNotices();
  const calendar = effectiveCalendar(shipped, [...loaded.filter((n) => n.year !== notice.year), notice]);
  const batch = await signalOpenCases(deps.client, {
    namespace: deps.namespace,
    reason: `holiday notice ${notice.year} loaded by ${loadedBy}: open cases reload calendar ${calendar.version}`,
    calendarVersion: calendar.version,
  });
  return { year: notice.year, stored, replacesShipped: shipped.some((n) => n.year === notice.year), calendarVersion: calendar.version, batch };
}

export interface CalendarYearRow {
  year: number;
  /** `official`: a State Council notice is in force; `provisional`: none, Monday–Friday are assumed working days. */
  status: 'official' | 'provisional';
  source: 'shipped' | 'loaded' | 'loaded, replaces shipped' | null;
  /** sha256 of the notice (the first 12 hex digits). */
  digest: string | null;
  title: string | null;
}

/** The years of the calendar in force, plus this year and next (Beijing time) when no notice covers them. */
export function calendarYears(shipped: HolidayNotice[], loaded: HolidayNotice[], todayMs: number): { version: string; years: CalendarYearRow[] } {
  const thisYear = Number(beijingDateOfMs(todayMs).slice(0, 4));
  const years = new Set([...shipped, ...loaded].map((n) => n.year).concat(thisYear, thisYear + 1));
  const rows = [...years].sort((a, b) => a - b).map((year): CalendarYearRow => {
    const fromRegister = loaded.find((n) => n.year === year);
    const fromShipped = shipped.find((n) => n.year === year);
    const notice = fromRegister ?? fromShipped;
    if (!notice) return { year, status: 'provisional', source: null, digest: null, title: null };
    return {
      year,
      status: notice.status,
      source: fromRegister ? (fromShipped ? 'loaded, replaces shipped' : 'loaded') : 'shipped',
      digest: holidayNoticeDigest(notice).slice(0, 12),
      title: notice.notice.number ? `${notice.notice.title}（${notice.notice.number}）` : notice.notice.title,
    };
  });
  return { version: effectiveCalendar(shipped, loaded).version, years: rows };
}

const parseWaitSeconds = wholeNumberOption(0, 3600, 'whole seconds, 0-3600');

const loadCommand = new Command('load')
  .description("store a year's holiday notice (JSON, the format of config/calendar/cn-YYYY.json) and have every open case recompute its deadlines")
  .argument('<file>', 'the notice, e.g. cn-2027.json')
  .option('--by <user>', 'who loads it (recorded in the register)', 'admin')
  .option('--wait <seconds>', 'how long to wait for the open cases to be signalled (0: do not wait)', parseWaitSeconds, 120)
  .action(async (file, opts) => {
    const notice = readHolidayNotice(file); // refuses a bad file, naming the field, before anything is stored
    await withSession(async ({ config, client, register }) => {
      const deps = { client, register, namespace: config.temporal.namespace, shippedNotices: () => readHolidayNotices() };
      const result = await loadHolidayNotice(deps, notice, opts.by);
      console.log(
        result.stored
          ? `stored the ${result.year} holiday notice${result.replacesShipped ? ' (it replaces the shipped one)' : ''}`
          : `the ${result.year} holiday notice is already loaded with this content: nothing stored`,
      );
      console.log(`calendar version: ${result.calendarVersion}`);
      console.log(`batch job: ${result.batch.jobId}${result.batch.started ? '' : ' (started by an earlier load of this calendar)'}`);
      if (opts.wait === 0) return;
      const progress = await waitForBatch(client, { jobId: result.batch.jobId, namespace: config.temporal.namespace, timeoutMs: opts.wait * 1000 }).catch((err: unknown) => {
        if (!(err instanceof BatchStillRunningError)) throw err;
        console.error(`gongkai: ${err.message}`);
        return undefined;
      });
      if (!progress) return;
      console.log(`${progress.completed} open case(s) signalled to recompute their deadlines`);
      if (progress.failed) console.error(`gongkai: ${progress.failed} case(s) not reached (closed, or continued as new, meanwhile): load the file again to reach them`);
      if (progress.state === 'failed') throw new Error(`batch ${progress.jobId} failed: see \`temporal batch describe --job-id ${progress.jobId}\`, then load the file again`);
    });
  });

const listCommand = new Command('list')
  .description('the years of the working-day calendar: shipped or loaded notices, and years still provisional')
  .option('--json', 'print JSON')
  .action(async (opts) => {
    const config = loadConfig();
    const register = await openConfiguredRegister(config);
    try {
      const loaded = (await register.holidayNotices()).map((stored) => holidayNoticeSchema.parse(stored));
      const { version, years } = calendarYears(readHolidayNotices(), loaded, Date.now());
      if (opts.json) {
        console.log(JSON.stringify({ calendarVersion: version, years }, null, 2));
        return;
      }
      for (const row of years) {
        const source = row.source ?? '—';
        const what = row.title ?? '无节假日安排通知，暂按周一至周五为工作日 / no notice: Monday–Friday assumed';
        console.log(`${row.year}  ${row.status.padEnd(11)} ${source.padEnd(24)} ${(row.digest ?? '—').padEnd(12)}  ${what}`);
      }
      console.log(`calendar version: ${version}`);
    } finally {
      await register.close();
    }
  });

/** `gongkai calendar load FILE` and `gongkai calendar list`. */
export const calendarCommand = new Command('calendar')
  .description('the working-day calendar: load a holiday notice (国务院节假日安排通知), list the years in force')
  .addCommand(loadCommand)
  .addCommand(listCommand);
