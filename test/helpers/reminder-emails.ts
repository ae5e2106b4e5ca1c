import type { CapturedEmail } from './smtp-capture';

// Reads back what the reminder template (templates/email/reminder.*.hbs) puts in an email, for assertions.

/** The working day a reminder is for, as its text states it. */
export const reminderDayOf = (email: CapturedEmail): string => /于(\d{4}-\d{2}-\d{2})自动发送/.exec(email.text ?? '')?.[1] ?? '?';

/** [recipient, subject tag, status, the day it is for], e.g. [handler, '逾期督办', '已逾期3个工作日', '2027-03-10']. */
export function reminderSummaryOf(email: CapturedEmail): string[] {
  const subject = email.subject ?? '';
  return [email.to.join(','), /【(.+?)】/.exec(subject)?.[1] ?? '?', /：(\S+?)(（|$)/.exec(subject)?.[1] ?? '?', reminderDayOf(email)];
}

/** A case's reminder emails, by day, then recipient, then status. */
export function remindersOfCase(received: readonly CapturedEmail[], caseNumber: string): string[][] {
  return received
    .filter((email) => email.subject?.includes(caseNumber))
    .map(reminderSummaryOf)
    .sort((a, b) => a[3]!.localeCompare(b[3]!) || a[0]!.localeCompare(b[0]!) || a[2]!.localeCompare(b[2]!));
}
