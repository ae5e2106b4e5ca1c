import type { Deadline } from '../../domain/clock';
import { DEFAULT_REMINDER_POLICY } from '../../domain/gongkai-config';
import { reminderKey, remindersBetween } from '../../domain/reminders';
import { shippedCalendar } from '../helpers/calendar';

const calendar = shippedCalendar();
const deadline = (due: string, status: Deadline['status'] = 'open'): Deadline => ({ kind: 'reply', due, status, provisional: false, projected: false, explanation: '' });
const brief = (list: ReturnType<typeof remindersBetween>) => list.map((r) => [r.day, r.kind, r.workingDays, r.recipients.join('+')]);

// Days counted by hand on the 2026 notice's calendar.
test('the default policy: 5 and 1 working days before, the due day, then daily; the office head from 3 days overdue', () => {
  expect(brief(remindersBetween(DEFAULT_REMINDER_POLICY, calendar, [deadline('2026-12-25')], '2026-12-01', '2026-12-31'))).toEqual([
    ['2026-12-18', 'before-due', 5, 'handler'],
    ['2026-12-24', 'before-due', 1, 'handler'],
    ['2026-12-25', 'due-day', 0, 'handler'],
    ['2026-12-28', 'overdue', 1, 'handler+supervisor'],
    ['2026-12-29', 'overdue', 2, 'handler+supervisor'],
    ['2026-12-30', 'overdue', 3, 'handler+supervisor+gip-office-head'],
    ['2026-12-31', 'overdue', 4, 'handler+supervisor+gip-office-head'],
  ]);
});

test('working days only: holidays skipped, 调休 working weekends counted', () => {
  // Due Fri 2026-10-09: 10-08 (1), 09-30 (2), 09-29 (3), 09-28 (4), 09-24 (5; 09-25 is 中秋节).
  expect(remindersBetween(DEFAULT_REMINDER_POLICY, calendar, [deadline('2026-10-09')], '2026-09-01', '2026-10-09').map((r) => r.day)).toEqual([
    '2026-09-24',
    '2026-10-08',
    '2026-10-09',
  ]);
  // Due Mon 2026-09-21: one working day before is Sunday 09-20, a make-up working day.
  expect(remindersBetween(DEFAULT_REMINDER_POLICY, calendar, [deadline('2026-09-21')], '2026-09-20', '2026-09-20').map((r) => [r.day, r.workingDays])).toEqual([['2026-09-20', 1]]);
});

test('a case registered late gets one overdue notice for today, not a burst of past reminders', () => {
  // Due 2026-11-19; today Mon 2026-11-30 is the 7th working day overdue.
  expect(brief(remindersBetween(DEFAULT_REMINDER_POLICY, calendar, [deadline('2026-11-19')], '2026-11-30', '2026-11-30'))).toEqual([
    ['2026-11-30', 'overdue', 7, 'handler+supervisor+gip-office-head'],
  ]);
  // Asked on a Saturday: the next working day.
  expect(remindersBetween(DEFAULT_REMINDER_POLICY, calendar, [deadline('2026-11-19')], '2026-11-28', '2026-11-30').map((r) => r.day)).toEqual(['2026-11-30']);
});

test('deadlines already met or late (the act done) remind no one', () => {
  expect(remindersBetween(DEFAULT_REMINDER_POLICY, calendar, [deadline('2026-12-25', 'met'), deadline('2026-12-25', 'late')], '2026-12-01', '2026-12-31')).toEqual([]);
});

test('each reminder has its own key, the same every time it is computed', () => {
  const twice = [0, 1].map(() => remindersBetween(DEFAULT_REMINDER_POLICY, calendar, [deadline('2026-12-25')], '2026-12-01', '2026-12-31'));
  const keys = twice.map((list) => list.map((r) => reminderKey('LYG-ZRZY-2026-000001', r, 'zrzy.handler1')));
  expect(keys[0]).toEqual(keys[1]);
  expect(new Set(keys[0]).size).toBe(keys[0]!.length);
  expect(keys[0]![0]).toBe('LYG-ZRZY-2026-000001:before-due5:zrzy.handler1:reply@2026-12-25:2026-12-18');
});

test('the fee payment period is reminded of like the clock\'s deadlines, each reminder carrying the deadline\'s explanation', () => {
  const fee = { kind: 'fee-payment' as const, due: '2026-12-25', status: 'open' as const, provisional: false, explanation: '缴费期限 2026-12-25（周五）：见收费通知书。' };
  expect(remindersBetween(DEFAULT_REMINDER_POLICY, calendar, [fee], '2026-12-18', '2026-12-28').map((r) => [r.day, r.deadlineKind, r.kind, r.explanation])).toEqual([
    ['2026-12-18', 'fee-payment', 'before-due', fee.explanation],
    ['2026-12-24', 'fee-payment', 'before-due', fee.explanation],
    ['2026-12-25', 'fee-payment', 'due-day', fee.explanation],
    ['2026-12-28', 'fee-payment', 'overdue', fee.explanation],
  ]);
});
