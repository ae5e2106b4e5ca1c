import { condition, log, proxyActivities } from '@temporalio/workflow';
import type { ReminderActivities } from '../../activities/reminders';
import { addDays, beijingDateOfMs, beijingTimeOnMs, type IsoDate } from '../../domain/dates';
import { DEFAULT_REMINDER_POLICY, type ReminderPolicy } from '../../domain/gongkai-config';
import { remindersBetween, type ScheduledReminder } from '../../domain/reminders';
import type { CaseFile } from './case-file';
import type { CarriedReminders } from './messages';

// Sending is never awaited by the main loop: an SMTP outage retries in the background (with backoff, without
// limit) while deadlines keep being watched. What a reminder has already reached is the ledger's business, so a
// reminder started again — after continue-as-new, or a worker crash — reaches no one twice.
const { sendReminder } = proxyActivities<ReminderActivities>({
  startToCloseTimeout: '2 minutes',
  // The activity heartbeats every 2 s: a worker that died mid-send is noticed, and the reminder retried, in seconds.
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '15 minutes' },
});

const SETTLE_TIMEOUT = '1 minute';

/** How far ahead the next reminder is looked for: the longest before-due offset plus room for holidays. */
const LOOKAHEAD_DAYS = 120;

const idOf = (r: ScheduledReminder): string =>
  [r.kind, r.workingDays, r.deadlineKind, r.deadlineRef ?? '', r.due, r.day].join(':');

/** The case's reminders: which are due now, when the next one is, and which are still being sent. */
export class ReminderDispatcher {
  private readonly policy: ReminderPolicy;
  private day: IsoDate | null;
  private dispatched: Set<string>;
  private readonly sending = new Map<string, ScheduledReminder>();

  constructor(
    private readonly file: CaseFile,
    carried: CarriedReminders | undefined,
  ) {
    this.policy = file.input.rules.reminders ?? DEFAULT_REMINDER_POLICY;
    this.day = carried?.day ?? null;
    this.dispatched = new Set(carried?.dispatched ?? []);
    for (const reminder of carried?.sending ?? []) this.send(reminder);
  }

  /** Starts sending today's reminders once today's send time has come; each reminder once. */
  dispatchDue(nowMs: number): void {
    const today = beijingDateOfMs(nowMs);
    if (nowMs < beijingTimeOnMs(today, this.policy.sendAt)) return;
    if (this.day !== today) {
      this.day = today;
      this.dispatched = new Set();
    }
    // Only today's: days missed (a late registration, a worker down overnight) are not made up in a burst.
    for (const reminder of remindersBetween(this.policy, this.file.calendar, this.file.reminderDeadlines(), today, today)) {
      const id = idOf(reminder);
      if (this.dispatched.has(id)) continue;
      this.dispatched.add(id);
      this.send(reminder);
    }
  }

  /** When the next reminder is due to go out after `nowMs`, or undefined when no deadline is open. */
  nextSendAtMs(nowMs: number): number | undefined {
    const deadlines = this.file.reminderDeadlines();
    if (deadlines.length === 0) return undefined;
    const today = beijingDateOfMs(nowMs);
    for (const reminder of remindersBetween(this.policy, this.file.calendar, deadlines, today, addDays(today, LOOKAHEAD_DAYS))) {
      const at = beijingTimeOnMs(reminder.day, this.policy.sendAt);
      if (at > nowMs) return at;
    }
    return undefined;
  }

  /**
   * Waits a little for reminders still being sent, before the run ends (continue-as-new, archive): their results
   * would be lost with the run and the next run would send them again (the ledger keeps that to one email each).
   * Never longer than a minute, so that an SMTP outage never holds the case.
   */
  async settle(): Promise<void> {
    if (this.sending.size > 0) await condition(() => this.sending.size === 0, SETTLE_TIMEOUT);
  }

  carried(): CarriedReminders {
    return { day: this.day, dispatched: [...this.dispatched], sending: [...this.sending.values()] };
  }

  private send(reminder: ScheduledReminder): void {
    const id = idOf(reminder);
    this.sending.set(id, reminder);
    const { caseNumber, agencyCode, handlerId } = this.file;
    sendReminder({ caseNumber, agencyCode, handlerId, reminder })
      .catch((err: unknown) => log.warn('reminder not sent', { caseNumber, reminder: id, error: err instanceof Error ? err.message : String(err) }))
      .finally(() => this.sending.delete(id));
  }
}
