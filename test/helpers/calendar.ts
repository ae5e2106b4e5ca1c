import { join } from 'node:path';
import type { WorkingDayCalendar } from '../../domain/calendar';
import { loadCalendarDir, SHIPPED_CALENDAR_DIR } from '../../workers/calendar-files';

/** The calendar from the shipped notices (2024–2026), as every process loads it. */
export const shippedCalendar = (): WorkingDayCalendar => loadCalendarDir(SHIPPED_CALENDAR_DIR);

export const shippedNoticePath = (year: number): string => join(SHIPPED_CALENDAR_DIR, `cn-${year}.json`);
