import { describeDay, nthWorkingDayAfter, type WorkingDayCalendar, workingDaysBetween } from './calendar';
import type { Deadline, DeadlineKind } from './clock';
import { addDays, type IsoDate } from './dates';
import type { ReminderPolicy } from './gongkai-config';
import type { Role } from './roles';

// What reminders and escalations a case's open deadlines call for, and on which working day: one pure rule,
// from the agency's reminder policy and the clock. Workers send them; the ledger keeps each one to a single send.

export type ReminderKind = 'before-due' | 'due-day' | 'overdue';

export interface ScheduledReminder {
  kind: ReminderKind;
  deadlineKind: DeadlineKind;
  /** For consultation answers: which consultation. */
  deadlineRef?: string;
  due: IsoDate;
  /** The working day it is sent on (at the policy's `sendAt`, Beijing time). */
  day: IsoDate;
  /** Working days before the due day (before-due, due-day: 0) or after it (overdue). */
  workingDays: number;
  recipients: Role[];
  /** The deadline depends on a year whose holiday notice is not loaded: the email says so. */
  provisional: boolean;
}

/** The working day `n` working days before `date` (n = 0: `date` itself). */
function workingDaysBefore(calendar: WorkingDayCalendar, date: IsoDate, n: number): IsoDate {
  let day = date;
  let counted = 0;
  while (counted < n) {
    day = addDays(day, -1);
    if (describeDay(calendar, day).working) counted += 1;
  }
  return day;
}

/**
 * The reminders due on the working days from `from` to `until` (both included) for the open deadlines. A case
 * registered late gets only what is still ahead: reminders before `from` are not made up, and an overdue deadline
 * is reminded of from `from` on, each working day, never in a burst.
 */
export function remindersBetween(
  policy: ReminderPolicy,
  calendar: WorkingDayCalendar,
  deadlines: readonly Deadline[],
  from: IsoDate,
  until: IsoDate,
): ScheduledReminder[] {
  const reminders: ScheduledReminder[] = [];
  for (const deadline of deadlines) {
    if (deadline.status !== 'open') continue;
    const base = { deadlineKind: deadline.kind, ...(deadline.ref ? { deadlineRef: deadline.ref } : {}), due: deadline.due, provisional: deadline.provisional };
    for (const rule of policy.beforeDue) {
      const day = workingDaysBefore(calendar, deadline.due, rule.workingDaysBefore);
      if (day >= from && day <= until && describeDay(calendar, day).working) {
        reminders.push({ ...base, kind: rule.workingDaysBefore === 0 ? 'due-day' : 'before-due', day, workingDays: rule.workingDaysBefore, recipients: [...rule.recipients] });
      }
    }
    if (policy.overdue.length === 0) continue;
    const firstOverdue = Math.min(...policy.overdue.map((rule) => rule.fromWorkingDaysOverdue));
    // Start at the later of the first overdue reminder day and `from`; then each working day up to `until`.
    let day = nthWorkingDayAfter(calendar, deadline.due, firstOverdue).date;
    if (day < from) day = describeDay(calendar, from).working ? from : nthWorkingDayAfter(calendar, from, 1).date;
    for (; day <= until; day = nthWorkingDayAfter(calendar, day, 1).date) {
      const overdueBy = workingDaysBetween(calendar, deadline.due, day).count;
      const recipients = [...new Set(policy.overdue.filter((rule) => rule.fromWorkingDaysOverdue <= overdueBy).flatMap((rule) => rule.recipients))];
      if (recipients.length) reminders.push({ ...base, kind: 'overdue', day, workingDays: overdueBy, recipients });
    }
  }
  return reminders.sort((a, b) => a.day.localeCompare(b.day) || a.due.localeCompare(b.due) || a.kind.localeCompare(b.kind));
}

/**
 * The reminder's idempotency key: case, kind, recipient, the deadline it concerns, the day it is for. The same
 * reminder computed again — after a retry, a crash, a restart — has the same key, so the ledger sends it once.
 */
export function reminderKey(caseNumber: string, reminder: ScheduledReminder, recipientId: string): string {
  const deadline = reminder.deadlineRef ? `${reminder.deadlineKind}#${reminder.deadlineRef}` : reminder.deadlineKind;
  return [caseNumber, `${reminder.kind}${reminder.workingDays}`, recipientId, `${deadline}@${reminder.due}`, reminder.day].join(':');
}
