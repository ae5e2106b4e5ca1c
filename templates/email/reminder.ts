import { z } from 'zod';
import { isoDateSchema, withWeekday } from '../../domain/dates';
import { REMINDER_DEADLINE_LABELS, type ScheduledReminder } from '../../domain/reminders';

// The reminder and escalation email: its context, checked before rendering, and how a scheduled reminder becomes
// that context. The wording lives in reminder.{subject,text,html}.hbs beside this file.

export const reminderEmailSchema = z.strictObject({
  caseNumber: z.string().min(1),
  agencyName: z.string().min(1),
  recipientName: z.string().min(1),
  /** 提醒 / 今日到期 / 逾期督办. */
  tag: z.string().min(1),
  /** What is due, e.g. 答复申请人. */
  whatIsDue: z.string().min(1),
  /** 还有5个工作日到期 / 今天到期 / 已逾期3个工作日. */
  status: z.string().min(1),
  dueDate: z.string().min(1),
  /** Set when the deadline rests on a year whose holiday notice is not loaded yet. */
  provisionalNote: z.string().min(1).nullable(),
  explanation: z.string().min(1),
  caseUrl: z.url(),
  sentFor: isoDateSchema,
});
export type ReminderEmail = z.output<typeof reminderEmailSchema>;

const TAGS: Record<ScheduledReminder['kind'], string> = { 'before-due': '提醒', 'due-day': '今日到期', overdue: '逾期督办' };

function statusOf(reminder: ScheduledReminder): string {
  if (reminder.kind === 'before-due') return `还有${reminder.workingDays}个工作日到期`;
  if (reminder.kind === 'due-day') return '今天到期';
  return `已逾期${reminder.workingDays}个工作日`;
}

export function reminderEmailOf(
  reminder: ScheduledReminder,
  context: { caseNumber: string; agencyName: string; recipientName: string; caseUrl: string },
): ReminderEmail {
  return {
    ...context,
    tag: TAGS[reminder.kind],
    whatIsDue: REMINDER_DEADLINE_LABELS[reminder.deadlineKind],
    status: statusOf(reminder),
    dueDate: withWeekday(reminder.due),
    provisionalNote: reminder.provisional
      ? '此期限为临时期限：所跨年度的国务院节假日安排尚未公布或尚未载入，公布并载入后将重新计算。'
      : null,
    explanation: reminder.explanation || '（无）',
    sentFor: reminder.day,
  };
}
