import { describeDay, nthWorkingDayAfter, type WorkingDayCalendar, workingDaysBetween } from './calendar';
import type { Deadline, DeadlineKind } from './clock';
import { addDays, type IsoDate } from './dates';
import type { GongkaiConfig, ReminderPolicy, UserConfig } from './gongkai-config';
import type { Role } from './roles';

// What reminders and escalations a case's open deadlines call for, and on which working day: one pure rule,
// from the agency's reminder policy and the clock. Workers send them; the ledger keeps each one to a single send.

export type ReminderKind = 'before-due' | 'due-day' | 'overdue';

/** The deadlines reminded of: the clock's, and the applicant's fee payment (Art. 42), which is not on the clock. */
export type ReminderDeadlineKind = DeadlineKind | 'fee-payment';

/** What is due by each kind of deadline, and who must act, as the reminder email says it. */
export const REMINDER_DEADLINE_LABELS: Record<ReminderDeadlineKind, string> = {
  reply: '答复申请人',
  'correction-notice': '一次性告知申请人补正（补正告知书）',
  'applicant-correction': '申请人补正申请（补正期限届满后应作出处理）',
  'consultation-answer': '被征求意见方提出意见（期限届满后应依法处理）',
  'fee-payment': '申请人缴纳信息处理费（期限届满后应作出处理）',
};

export interface ReminderDeadline extends Pick<Deadline, 'ref' | 'due' | 'status' | 'provisional' | 'explanation'> {
  kind: ReminderDeadlineKind;
}

export interface ScheduledReminder {
  kind: ReminderKind;
  deadlineKind: ReminderDeadlineKind;
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
  /** How the deadline was computed (the clock's explanation), in Chinese. */
  explanation: string;
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
  deadlines: readonly ReminderDeadline[],
  from: IsoDate,
  until: IsoDate,
): ScheduledReminder[] {
  const reminders: ScheduledReminder[] = [];
  for (const deadline of deadlines) {
    if (deadline.status !== 'open') continue;
    const base = {
      deadlineKind: deadline.kind,
      ...(deadline.ref ? { deadlineRef: deadline.ref } : {}),
      due: deadline.due,
      provisional: deadline.provisional,
      explanation: deadline.explanation,
    };
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

export interface ReminderRecipient {
  id: string;
  name: string;
  email: string;
}

/**
 * Who a reminder role reaches in a case: `handler` is the assigned handler, or — before one is assigned — the
 * GIP office heads, who assign; another role reaches everyone holding it in the case's agency, and supervisors with
 * all-agencies scope. Sorted by id, so the same people in the same order every time.
 */
export function reminderRecipients(
  config: Pick<GongkaiConfig, 'users'>,
  agencyCode: string,
  role: Role,
  handlerId: string | null,
): ReminderRecipient[] {
  const holds = (user: UserConfig, wanted: Role) =>
    user.roles.includes(wanted) && (user.agencyCode === agencyCode || (wanted === 'supervisor' && user.scope === 'all-agencies'));
  let users: UserConfig[];
  if (role === 'handler') {
    const handler = handlerId === null ? undefined : config.users.find((user) => user.id === handlerId);
    users = handler ? [handler] : config.users.filter((user) => holds(user, 'gip-office-head'));
  } else {
    users = config.users.filter((user) => holds(user, role));
  }
  return users.map(({ id, name, email }) => ({ id, name, email })).sort((a, b) => a.id.localeCompare(b.id));
}
