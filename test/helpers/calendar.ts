import { join } from 'node:path';
import { describeDay, type WorkingDayCalendar } from '../../domain/calendar';
import { addDays, type IsoDate } from '../../domain/dates';
import { loadCalendarDir, SHIPPED_CALENDAR_DIR } from '../../workers/calendar-files';

/** The calendar from the shipped notices (2024–2026), as every process loads it. */
export const shippedCalendar = (): WorkingDayCalendar => loadCalendarDir(SHIPPED_CALENDAR_DIR);

export const shippedNoticePath = (year: number): string => join(SHIPPED_CALENDAR_DIR, `cn-${year}.json`);

/** The working day `n` working days before `from` on the shipped calendar (a receipt date that long ago). */
export function workingDaysBefore(n: number, from: IsoDate): IsoDate {
  const calendar = shippedCalendar();
  let date = from;
  for (let counted = 0; counted < n; ) {
    date = addDays(date, -1);
    if (describeDay(calendar, date).working) counted += 1;
  }
  return date;
}
