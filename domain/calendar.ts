import { z } from 'zod';
import { addDays, fromEpochDay, type IsoDate, isIsoDate, isoDateSchema, isWeekend, toEpochDay, yearOf } from './dates';

// The working-day calendar (工作日): Monday–Friday, less the statutory holidays, plus the weekend days
// the State Council's annual notice (《关于YYYY年部分节假日安排的通知》) makes working days (调休上班).
// It is data passed in — loaded by an activity and kept in workflow state — never imported by workflows,
// so loading a new year cannot change how an old history replays.

/** One year's notice as entered by hand: each holiday's days off (inclusive range) and its make-up working weekends. */
export const holidayNoticeSchema = z
  .object({
    year: z.number().int().min(2000).max(2999),
    status: z.literal('official'),
    notice: z.object({
      title: z.string().min(1).max(200),
      number: z.string().min(1).max(100).nullable(),
      published: isoDateSchema,
      url: z.url().max(500),
    }),
    holidays: z
      .array(
        z.object({
          name: z.string().min(1).max(40),
          off: z.tuple([isoDateSchema, isoDateSchema]),
          workingWeekends: z.array(isoDateSchema).max(5),
        }),
      )
      .min(1)
      .max(20),
  })
  .superRefine((notice, ctx) => {
    const seen = new Map<IsoDate, string>();
    const claim = (date: IsoDate, path: (string | number)[], what: string): void => {
      if (yearOf(date) !== notice.year) {
        ctx.addIssue({ code: 'custom', path, message: `${date} 不在 ${notice.year} 年内 / ${what} is not in ${notice.year}` });
      }
      const earlier = seen.get(date);
      if (earlier) ctx.addIssue({ code: 'custom', path, message: `${date} 重复（已见于 ${earlier}）/ duplicate date` });
      seen.set(date, path.join('.'));
    };
    notice.holidays.forEach((holiday, i) => {
      const [from, to] = holiday.off;
      if (!isIsoDate(from) || !isIsoDate(to) || holiday.workingWeekends.some((d) => !isIsoDate(d))) return; // already reported
      if (from > to) {
        ctx.addIssue({ code: 'custom', path: ['holidays', i, 'off'], message: '放假起止日期颠倒 / range ends before it starts' });
        return;
      }
      // One problem for a range reaching outside the year, not one per day: a mistyped year (2206) made it millions.
      if (yearOf(from) !== notice.year || yearOf(to) !== notice.year) {
        const outside = yearOf(from) !== notice.year ? from : to;
        ctx.addIssue({ code: 'custom', path: ['holidays', i, 'off'], message: `${outside} 不在 ${notice.year} 年内 / day off is not in ${notice.year}` });
        return;
      }
      for (let day = from; day <= to; day = addDays(day, 1)) claim(day, ['holidays', i, 'off'], 'day off');
      holiday.workingWeekends.forEach((date, j) => {
        const path = ['holidays', i, 'workingWeekends', j];
        if (!isWeekend(date)) {
          ctx.addIssue({ code: 'custom', path, message: `${date} 不是周末，不能作为调休上班日 / a make-up working day must be a weekend` });
        }
        claim(date, path, 'make-up working day');
      });
    });
  });
export type HolidayNotice = z.output<typeof holidayNoticeSchema>;

/** One loaded year, as plain JSON-safe data (workflow state, continue-as-new). */
export interface CalendarYear {
  year: number;
  /** Title and number of the notice the data was entered from. */
  source: string;
  /** Every day off of a holiday, weekend days of the holiday included, with the holiday's name. */
  daysOff: Record<IsoDate, string>;
  /** Weekend days that are working days, with the holiday they make up for. */
  workingWeekends: Record<IsoDate, string>;
}

export interface WorkingDayCalendar {
  /** Which years' data, and a digest of it: part of every clock explanation and of the case. */
  version: string;
  years: Record<string, CalendarYear>;
}

export function calendarYearFromNotice(notice: HolidayNotice): CalendarYear {
  const daysOff: Record<IsoDate, string> = {};
  const workingWeekends: Record<IsoDate, string> = {};
  for (const holiday of notice.holidays) {
    for (let day = holiday.off[0]; day <= holiday.off[1]; day = addDays(day, 1)) daysOff[day] = holiday.name;
    for (const date of holiday.workingWeekends) workingWeekends[date] = holiday.name;
  }
  const source = notice.notice.number ? `${notice.notice.title}（${notice.notice.number}）` : notice.notice.title;
  return { year: notice.year, source, daysOff, workingWeekends };
}

/** Builds a calendar from validated notices; two notices for one year are refused. */
export function buildCalendar(notices: readonly HolidayNotice[]): WorkingDayCalendar {
  const years: Record<string, CalendarYear> = {};
  for (const notice of [...notices].sort((a, b) => a.year - b.year)) {
    if (years[notice.year]) throw new Error(`two holiday notices for ${notice.year}`);
    years[notice.year] = calendarYearFromNotice(notice);
  }
  const digest = fnv1a(JSON.stringify(Object.values(years)));
  return { version: `cn:${Object.keys(years).join(',') || 'none'}#${digest}`, years };
}

/**
 * The calendar in force: the notices shipped with gongkai, each year replaced by a notice loaded at run time
 * (an agency entering the new year's notice before an upgrade ships it).
 */
export function effectiveCalendar(shipped: readonly HolidayNotice[], loaded: readonly HolidayNotice[]): WorkingDayCalendar {
  const byYear = new Map<number, HolidayNotice>();
  for (const notice of [...shipped, ...loaded]) byYear.set(notice.year, notice);
  return buildCalendar([...byYear.values()]);
}

/** A short content digest (FNV-1a, 32 bit): identifies the data, no security meaning. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

export type DayKind = 'weekday' | 'weekend' | 'holiday' | 'working-weekend';

export interface DayInfo {
  date: IsoDate;
  working: boolean;
  kind: DayKind;
  /** The holiday a day off or make-up working day belongs to. */
  holiday?: string;
  /** No notice is loaded for this year: Monday–Friday was assumed. */
  provisional: boolean;
}

export function describeDay(calendar: WorkingDayCalendar, date: IsoDate): DayInfo {
  const data = calendar.years[yearOf(date)];
  const weekend = isWeekend(date);
  if (!data) return { date, working: !weekend, kind: weekend ? 'weekend' : 'weekday', provisional: true };
  const holiday = data.daysOff[date];
  if (holiday) return { date, working: false, kind: 'holiday', holiday, provisional: false };
  const makeUp = data.workingWeekends[date];
  if (makeUp) return { date, working: true, kind: 'working-weekend', holiday: makeUp, provisional: false };
  return { date, working: !weekend, kind: weekend ? 'weekend' : 'weekday', provisional: false };
}

export const isWorkingDay = (calendar: WorkingDayCalendar, date: IsoDate): boolean => describeDay(calendar, date).working;

/** Years without a loaded notice that a computation touched; results depending on them are provisional. */
export type ProvisionalYears = number[];

export interface WorkingDayResult {
  date: IsoDate;
  provisionalYears: ProvisionalYears;
}

/**
 * The `n`-th counted working day strictly after `from` (day N of a statutory period that starts on `from`).
 * `excluded` removes further days from the count (clock pauses). `n` must be at least 1.
 */
export function nthWorkingDayAfter(
  calendar: WorkingDayCalendar,
  from: IsoDate,
  n: number,
  excluded: (date: IsoDate) => boolean = () => false,
): WorkingDayResult {
  if (!Number.isInteger(n) || n < 1) throw new RangeError('n must be a positive integer');
  const provisional = new Set<number>();
  let epochDay = toEpochDay(from);
  let counted = 0;
  // A year has at least 200 working days; the bound only guards against an `excluded` that excludes everything.
  for (let guard = 0; guard < n * 7 + 3_660; guard++) {
    epochDay += 1;
    const date = fromEpochDay(epochDay);
    const day = describeDay(calendar, date);
    if (day.provisional) provisional.add(yearOf(date));
    if (day.working && !excluded(date)) counted += 1;
    if (counted === n) return { date, provisionalYears: [...provisional].sort() };
  }
  throw new RangeError('no end to the period within ten years: is every day excluded?');
}

/** Working days `d` with `from < d <= to` (0 when `to <= from`). */
export function workingDaysBetween(calendar: WorkingDayCalendar, from: IsoDate, to: IsoDate): { count: number; provisionalYears: ProvisionalYears } {
  const provisional = new Set<number>();
  let count = 0;
  for (let day = toEpochDay(from) + 1, end = toEpochDay(to); day <= end; day++) {
    const info = describeDay(calendar, fromEpochDay(day));
    if (info.provisional) provisional.add(yearOf(info.date));
    if (info.working) count += 1;
  }
  return { count, provisionalYears: [...provisional].sort() };
}

