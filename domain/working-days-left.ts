import { type WorkingDayCalendar, workingDaysBetween } from './calendar';
import type { IsoDate } from './dates';

// How close a deadline is, counted in statutory working days: the colour of a row on 我的待办 and the sections of
// the supervisor board. The same count as the open-case query's "due within N working days" (workers/case-list.ts).

/** Due within this many working days (and not yet past) counts as due soon: the reminders' first warning. */
export const DUE_SOON_WORKING_DAYS = 5;

export type DueUrgency = 'overdue' | 'soon' | 'ok';

export interface WorkingDaysLeft {
  urgency: DueUrgency;
  /**
   * Working days after `today` up to and including the due day (0: due today); when overdue, the working days
   * since the due day (0 when only a weekend or holiday has passed since).
   */
  workingDays: number;
  /** The count crosses a year whose holiday notice is not loaded (Monday–Friday assumed). */
  provisional: boolean;
}

/** A deadline due at the end of `due` (Beijing), seen on `today`. */
export function workingDaysLeft(
  calendar: WorkingDayCalendar,
  today: IsoDate,
  due: IsoDate,
  soonWithin: number = DUE_SOON_WORKING_DAYS,
): WorkingDaysLeft {
  if (due < today) {
    const since = workingDaysBetween(calendar, due, today);
    return { urgency: 'overdue', workingDays: since.count, provisional: since.provisionalYears.length > 0 };
  }
  const left = workingDaysBetween(calendar, today, due);
  return {
    urgency: left.count <= soonWithin ? 'soon' : 'ok',
    workingDays: left.count,
    provisional: left.provisionalYears.length > 0,
  };
}

/** In Chinese, as the lists show it: 剩余3个工作日, 今日到期, 已逾期2个工作日. */
export function describeWorkingDaysLeft(left: WorkingDaysLeft): string {
  const suffix = left.provisional ? '（暂按周一至周五推算）' : '';
  if (left.urgency === 'overdue') return (left.workingDays > 0 ? `已逾期${left.workingDays}个工作日` : '已逾期') + suffix;
  return (left.workingDays === 0 ? '今日到期' : `剩余${left.workingDays}个工作日`) + suffix;
}
