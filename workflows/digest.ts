import { proxyActivities } from '@temporalio/workflow';
import type { DailyDigestOutcome, DigestActivities } from '../activities/digest';
import type { RequestActivities } from '../activities/request-activities';
import { isWorkingDay } from '../domain/calendar';
import { beijingDateOfMs, type IsoDate } from '../domain/dates';

// The daily digest (每日督办) of one agency, started by its schedule (workers/digest-schedules.ts) every day: on a
// statutory working day it emails the agency's supervisors the overdue, due-soon and paused cases; on any other day it
// does nothing. A run lasts minutes (its activity is bounded by 6 hours), so a change that would replay differently
// still goes behind patched() unless no run is in flight when workers are upgraded.

const { loadCalendar } = proxyActivities<RequestActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Bounded well within the day: the schedule skips a run while the previous one is still going (overlap SKIP).
const { sendDailyDigest } = proxyActivities<DigestActivities>({
  startToCloseTimeout: '5 minutes',
  scheduleToCloseTimeout: '6 hours',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export interface DailyDigestInput {
  agencyCode: string;
  /** "Due soon": due within this many working days (the configuration's digest.dueWithinWorkingDays). */
  dueWithinWorkingDays: number;
}

export interface DailyDigestResult {
  agencyCode: string;
  /** The Beijing day of the run's start: the day the digest is for. */
  day: IsoDate;
  workingDay: boolean;
  /** Null on a day that is not a working day: nothing was sent. */
  sent: DailyDigestOutcome | null;
}

export async function dailyDigestWorkflow({ agencyCode, dueWithinWorkingDays }: DailyDigestInput): Promise<DailyDigestResult> {
  const startedAt = Date.now();
  const day = beijingDateOfMs(startedAt);
  const calendar = await loadCalendar();
  if (!isWorkingDay(calendar, day)) return { agencyCode, day, workingDay: false, sent: null };
  const sent = await sendDailyDigest({ agencyCode, day, asOf: new Date(startedAt).toISOString(), dueWithinWorkingDays });
  return { agencyCode, day, workingDay: true, sent };
}
