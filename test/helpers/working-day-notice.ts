import type { HolidayNotice } from '../../domain/calendar';
import { addDays, isWeekend, yearOf, type IsoDate } from '../../domain/dates';

/**
 * This year's holiday notice, made so that `today` is a working day (a 调休 make-up day if it is a weekend), for
 * tests on the real clock that need reminders today whatever the day: one holiday on a weekday far from today.
 */
export function noticeMakingWorkingDay(today: IsoDate): HolidayNotice {
  const year = yearOf(today);
  let dayOff = `${year}-12-31`;
  while (isWeekend(dayOff)) dayOff = addDays(dayOff, -1);
  if (dayOff >= addDays(today, -60) && dayOff <= today) {
    dayOff = `${year}-01-01`;
    while (isWeekend(dayOff)) dayOff = addDays(dayOff, 1);
  }
  return {
    year,
    status: 'official',
    notice: { title: `测试用 ${year} 年节假日安排（使今天为工作日）`, number: null, published: `${year}-01-01`, url: 'https://example.invalid/test-notice' },
    holidays: [{ name: '测试', off: [dayOff, dayOff], workingWeekends: isWeekend(today) ? [today] : [] }],
  };
}
