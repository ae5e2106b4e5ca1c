import { type Client, ScheduleAlreadyRunning, type ScheduleOptions, type ScheduleOptionsStartWorkflowAction, ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import type { GongkaiConfig } from '../domain/gongkai-config';
import type { dailyDigestWorkflow } from '../workflows/digest';
import { logger } from './logger';

// One Temporal Schedule per configured agency starts its daily digest (workflows/digest.ts) at digest.at, Beijing
// time. Every worker process ensures them at start-up: create, or, if the schedule exists, update it to this
// configuration — N workers starting together leave one schedule per agency, and the last configuration wins.

/** China has kept UTC+8 without daylight saving since 1991; the server resolves the zone itself (tested). */
export const DIGEST_TIME_ZONE = 'Asia/Shanghai';
export const DIGEST_WORKFLOW_TYPE = 'dailyDigestWorkflow';
const SCHEDULE_ID_PREFIX = 'gongkai-digest-';

/** A server back this soon after a missed firing (down at 09:00) still starts that run; later, the day is skipped. */
const CATCHUP_WINDOW = '1 hour';
/** A run never lasts into the next day's: overlap SKIP would drop that day's digest. */
const RUN_TIMEOUT = '12 hours';
const RETRY_ENSURE_EVERY_MS = 60_000;

export type DigestScheduleConfig = Pick<GongkaiConfig, 'agencies' | 'digest'> & { temporal: Pick<GongkaiConfig['temporal'], 'taskQueue'> };
type DigestAction = ScheduleOptionsStartWorkflowAction<typeof dailyDigestWorkflow>;

export const digestScheduleId = (agencyCode: string): string => `${SCHEDULE_ID_PREFIX}${agencyCode}`;

/** Daily at `at` (HH:MM), Beijing time. */
export function digestScheduleSpec(at: string): ScheduleSpec {
  const [hour = 0, minute = 0] = at.split(':').map(Number);
  return { calendars: [{ hour, minute, comment: `daily digest at ${at} Beijing time` }], timezone: DIGEST_TIME_ZONE };
}

export function digestScheduleOptions(config: DigestScheduleConfig, agencyCode: string): ScheduleOptions<DigestAction> {
  return {
    scheduleId: digestScheduleId(agencyCode),
    spec: digestScheduleSpec(config.digest.at),
    action: {
      type: 'startWorkflow',
      workflowType: DIGEST_WORKFLOW_TYPE,
      args: [{ agencyCode, dueWithinWorkingDays: config.digest.dueWithinWorkingDays }],
      taskQueue: config.temporal.taskQueue,
      // The server appends each run's time to it.
      workflowId: `${SCHEDULE_ID_PREFIX}${agencyCode}`,
      workflowRunTimeout: RUN_TIMEOUT,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW, pauseOnFailure: false },
  };
}

export interface EnsuredSchedule {
  agencyCode: string;
  scheduleId: string;
  outcome: 'created' | 'updated';
}

/**
 * Creates each agency's digest schedule, or updates an existing one to the configuration's spec and action. An
 * operator's pause (`temporal schedule toggle --pause`) and its note are kept. Schedules of agencies no longer
 * configured are left alone (delete them with `temporal schedule delete`).
 */
export async function ensureDigestSchedules(client: Client, config: DigestScheduleConfig): Promise<EnsuredSchedule[]> {
  const ensured: EnsuredSchedule[] = [];
  for (const agency of config.agencies) {
    const options = digestScheduleOptions(config, agency.code);
    let outcome: EnsuredSchedule['outcome'] = 'created';
    try {
      await client.schedule.create(options);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      outcome = 'updated';
      await client.schedule.getHandle(options.scheduleId).update<typeof dailyDigestWorkflow>((current) => ({
        spec: options.spec,
        action: options.action,
        policies: options.policies,
        state: { paused: current.state.paused, note: current.state.note, remainingActions: current.state.remainingActions },
      }));
    }
    ensured.push({ agencyCode: agency.code, scheduleId: options.scheduleId, outcome });
  }
  return ensured;
}

/**
 * The worker-process service: ensures the schedules, and keeps trying in the background if the server refuses, so
 * that a digest problem never stops a worker from running cases. The schedules live on in the server after a stop.
 */
export async function startDigestSchedules({ config, client }: { config: DigestScheduleConfig; client: Client }): Promise<() => Promise<void>> {
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = async (): Promise<void> => {
    try {
      const ensured = await ensureDigestSchedules(client, config);
      logger.info({ schedules: ensured.map((s) => `${s.scheduleId}:${s.outcome}`), at: config.digest.at }, 'daily digest schedules ensured');
    } catch (err) {
      logger.error({ err: err instanceof Error ? err.message : String(err), retryInMs: RETRY_ENSURE_EVERY_MS }, 'daily digest schedules not ensured');
      if (!stopped) retry = setTimeout(() => void attempt(), RETRY_ENSURE_EVERY_MS).unref();
    }
  };
  await attempt();
  return async () => {
    stopped = true;
    clearTimeout(retry);
  };
}
