import type { temporal } from '@temporalio/proto';
import type { WorkingDayCalendar } from '../../domain/calendar';
import { addDays, beijingDateOfMs, beijingTimeOnMs, endOfBeijingDayMs } from '../../domain/dates';
import { remindersBetween } from '../../domain/reminders';
import type { CaseView } from '../../workflows/request/messages';
import type { CaseSpec } from './case-mix';

// Durable timers as the server's history records them, and when an open case's one wake-up timer should fire.

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface TimerRecord {
  timerId: string;
  /** When the workflow code set it: the start of the workflow task that scheduled it (its `Date.now()`). */
  setAt: number;
  /** When it is due: `setAt` plus its duration. */
  dueAt: number;
  /** When it fired (the TimerFired event), if it did. */
  firedAt?: number;
  canceled: boolean;
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : Number.NaN;

/** Every timer of one run's history. */
export function timersOf(events: readonly HistoryEvent[]): TimerRecord[] {
  const byId = new Map<string, HistoryEvent>();
  for (const event of events) byId.set(String(event.eventId), event);
  const timers = new Map<string, TimerRecord>();
  for (const event of events) {
    const started = event.timerStartedEventAttributes;
    if (started) {
      const completed = byId.get(String(started.workflowTaskCompletedEventId))?.workflowTaskCompletedEventAttributes;
      const taskStarted = byId.get(String(completed?.startedEventId));
      const setAt = ms(taskStarted?.eventTime);
      timers.set(String(event.eventId), { timerId: started.timerId ?? '', setAt, dueAt: setAt + ms(started.startToFireTimeout), canceled: false });
    }
    const fired = event.timerFiredEventAttributes;
    if (fired) {
      const timer = timers.get(String(fired.startedEventId));
      if (timer) timer.firedAt = ms(event.eventTime);
    }
    const canceled = event.timerCanceledEventAttributes;
    if (canceled) {
      const timer = timers.get(String(canceled.startedEventId));
      if (timer) timer.canceled = true;
    }
  }
  return [...timers.values()];
}

/**
 * When an open case should next wake up, from the deadlines its view shows and its reminder policy: the end of the
 * nearest watched deadline's day still ahead, or the next working day's reminder minute, whichever comes first.
 */
export function expectedWakeUpMs(view: CaseView, spec: CaseSpec, calendar: WorkingDayCalendar, nowMs: number): number | undefined {
  const watched = view.deadlines.filter((d) => d.status === 'open' && spec.expected.watched.includes(d.kind));
  const ends = watched.map((d) => endOfBeijingDayMs(d.due)).filter((t) => t > nowMs);
  const today = beijingDateOfMs(nowMs);
  const policy = spec.policy!;
  const sends = remindersBetween(policy, calendar, watched, today, addDays(today, 120))
    .map((r) => beijingTimeOnMs(r.day, policy.sendAt))
    .filter((t) => t > nowMs);
  const all = [...ends, ...sends];
  return all.length ? Math.min(...all) : undefined;
}
