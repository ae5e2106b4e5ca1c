import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCalendar, type HolidayNotice, holidayNoticeSchema, type WorkingDayCalendar } from '../domain/calendar';
import { parseOrThrow } from '../domain/validation';
import { PROJECT_ROOT } from './config';

/** The holiday notices shipped with gongkai, one file per year, entered by hand from the State Council notice. */
export const SHIPPED_CALENDAR_DIR = join(PROJECT_ROOT, 'config', 'calendar');

export function readHolidayNotice(path: string): HolidayNotice {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not readable JSON (${(err as Error).message})`, { cause: err });
  }
  return parseOrThrow(holidayNoticeSchema, json, `Holiday notice ${path}`);
}

export function readHolidayNotices(dir: string = SHIPPED_CALENDAR_DIR): HolidayNotice[] {
  const files = readdirSync(dir).filter((name) => /^cn-\d{4}\.json$/.test(name));
  return files.map((name) => readHolidayNotice(join(dir, name)));
}

export function loadCalendarDir(dir: string = SHIPPED_CALENDAR_DIR): WorkingDayCalendar {
  return buildCalendar(readHolidayNotices(dir));
}
