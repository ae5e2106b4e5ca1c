import { z } from 'zod';

/**
 * A calendar date in Beijing, `YYYY-MM-DD`. Statutory periods are counted in these dates; "due D" means
 * by the end of D, Beijing time. Arithmetic is on epoch days (UTC-based, host time zone never consulted),
 * so results are the same on every worker and in Temporal's workflow sandbox.
 */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
/** Asia/Shanghai has been UTC+8 without daylight saving since 1991. */
const BEIJING_OFFSET_MS = 8 * 3_600_000;

export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const ms = Date.UTC(y, m - 1, d);
  return fromEpochDay(Math.floor(ms / DAY_MS)) === value && y >= 1900 && y <= 2999;
}

export const isoDateSchema = z.string().refine(isIsoDate, '应为有效日期 YYYY-MM-DD / expected a valid date YYYY-MM-DD');

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. Throws on anything that is not a real date. */
export function toEpochDay(date: IsoDate): number {
  if (!isIsoDate(date)) throw new RangeError(`not a valid YYYY-MM-DD date: ${JSON.stringify(date).slice(0, 20)}`);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

export function fromEpochDay(epochDay: number): IsoDate {
  return new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday. */
export function dayOfWeek(date: IsoDate): number {
  return (((toEpochDay(date) + 4) % 7) + 7) % 7;
}

export const isWeekend = (date: IsoDate): boolean => [0, 6].includes(dayOfWeek(date));

export const yearOf = (date: IsoDate): number => Number(date.slice(0, 4));

export const WEEKDAY_LABELS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'] as const;

/** `2025-10-11（周六）` */
export const withWeekday = (date: IsoDate): string => `${date}（${WEEKDAY_LABELS[dayOfWeek(date)]}）`;

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** An instant is about 35 characters at most; the bound only stops a long value from being scanned. */
export const INSTANT_MAX_LENGTH = 40;

/**
 * An ISO-8601 instant with its offset (`2026-11-27T10:15:00+08:00` or `…Z`) naming a real moment. Checked field
 * by field because `Date.parse` rolls impossible dates over (`02-30` becomes `03-02`).
 */
export function isIsoInstant(value: string): boolean {
  const match = INSTANT.exec(value);
  if (!match) return false;
  const part = (i: number): number => Number(match[i] ?? 0);
  const [year, month, day] = [part(1), part(2), part(3)];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return (
    day >= 1 &&
    day <= daysInMonth &&
    part(4) <= 23 &&
    part(5) <= 59 &&
    part(6) <= 59 &&
    part(7) <= 14 &&
    part(8) <= 59 &&
    !Number.isNaN(Date.parse(value))
  );
}

export const instantSchema = z
  .string()
  .max(INSTANT_MAX_LENGTH, { abort: true })
  .refine(
    isIsoInstant,
    '应为带时区的ISO-8601时刻，如2026-11-27T10:15:00+08:00 / ' +
      'expected an ISO-8601 instant with offset, e.g. 2026-11-27T10:15:00+08:00',
  );

/** The Beijing calendar date of an ISO-8601 instant that carries its offset (or Z); see `isIsoInstant`. */
export function beijingDateOf(instant: string): IsoDate {
  if (!isIsoInstant(instant)) throw new RangeError('not an ISO-8601 instant with offset: YYYY-MM-DDTHH:MM[:SS[.fff]] then ±HH:MM or Z');
  return new Date(Date.parse(instant) + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Beijing calendar date of an epoch-milliseconds instant (in a workflow: `Date.now()`, the task's time). */
export function beijingDateOfMs(epochMs: number): IsoDate {
  return fromEpochDay(Math.floor((epochMs + BEIJING_OFFSET_MS) / DAY_MS));
}

/** An instant as Beijing wall-clock time, `2026-11-27 08:30:05`. */
export function beijingDateTimeOf(instant: string): string {
  return new Date(Date.parse(instant) + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** Epoch milliseconds of the first instant after `date` ends in Beijing: a deadline on `date` has passed from then. */
export function endOfBeijingDayMs(date: IsoDate): number {
  return (toEpochDay(date) + 1) * DAY_MS - BEIJING_OFFSET_MS;
}

/** Epoch milliseconds of a time of day (`HH:MM`) on `date` in Beijing. */
export function beijingTimeOnMs(date: IsoDate, hhmm: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!match) throw new RangeError('time of day must be HH:MM');
  return toEpochDay(date) * DAY_MS - BEIJING_OFFSET_MS + (Number(match[1]) * 60 + Number(match[2])) * 60_000;
}
