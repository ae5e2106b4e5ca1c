import type { Client } from '@temporalio/client';
import { type MetricMeter, noopMetricMeter } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { type GongkaiConfig, type MonitoringSettings, monitoringSettingsSchema } from '../domain/gongkai-config';
import { STAGES } from '../domain/stages';
import { bilingualIssueMessage, parseOrThrow } from '../domain/validation';
import type { Register } from '../register';
import { openCasesQuery } from './case-list';
import { logger } from './logger';

// The open-case gauges of the worker's Prometheus endpoint (the SDK's, where GONGKAI_METRICS_ADDRESS says: one
// scrape target per worker process). Each worker process counts them from the visibility store every
// `monitoring.metricsPollSeconds`, so N workers report the same values: aggregate with max, never sum.
// docs/operations.md "Metrics and alerts" lists every metric.

export const OPEN_CASES_METRIC = 'gongkai_open_cases';
export const OVERDUE_CASES_METRIC = 'gongkai_overdue_cases';

/** The stages a running request workflow can be in (it completes on archiving). */
export const OPEN_WORKFLOW_STAGES = STAGES.filter((stage) => stage !== 'archived');

const MONITORING_VARIABLES: Record<keyof MonitoringSettings, string> = {
  metricsPollSeconds: 'GONGKAI_METRICS_POLL_SECONDS',
  stuckCheckSeconds: 'GONGKAI_STUCK_CHECK_SECONDS',
  stuckAfterAttempts: 'GONGKAI_STUCK_AFTER_ATTEMPTS',
};

/**
 * The configuration's `monitoring` section with the environment laid over it (GONGKAI_METRICS_POLL_SECONDS,
 * GONGKAI_STUCK_CHECK_SECONDS, GONGKAI_STUCK_AFTER_ATTEMPTS); a bad value throws an InvalidInputError naming the field
 * and the variable, never the value.
 */
export function monitoringSettings(config: Pick<GongkaiConfig, 'monitoring'>, env: NodeJS.ProcessEnv = process.env): MonitoringSettings {
  const merged: Record<string, unknown> = { ...config.monitoring };
  const fromEnv = new Map<string, string>();
  for (const [field, variable] of Object.entries(MONITORING_VARIABLES)) {
    const text = env[variable];
    if (!text) continue;
    merged[field] = /^\d{1,9}$/.test(text) ? Number(text) : text;
    fromEnv.set(field, variable);
  }
  // Parsed under `monitoring`, so that a problem names the field as the configuration file does.
  const { monitoring } = parseOrThrow(z.object({ monitoring: monitoringSettingsSchema }), { monitoring: merged }, 'Configuration', {
    issueMessage: bilingualIssueMessage,
    labelOf: (path) => (fromEnv.has(String(path[1])) ? `环境变量 ${fromEnv.get(String(path[1]))}` : undefined),
  });
  return monitoring;
}

/** The process's metric meter: the SDK runtime's, exported with the SDK's own metrics; a no-op without an exporter. */
export function appMetricMeter(): MetricMeter {
  return Runtime.instance().metricMeter;
}

/** Runs `items` through `fn`, at most `limit` at a time, keeping their order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * Runs `task` every `seconds`, the next run `seconds` after the last one ended (never two at once), the first after
 * `firstDelayMs`. The returned stop waits for a run in progress. A failed run is logged; the next one runs as planned.
 */
export function repeatEvery(name: string, seconds: number, task: () => Promise<void>, firstDelayMs = 0): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = (delayMs: number): void => {
    timer = setTimeout(() => {
      running = task()
        .catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err), service: name }, 'periodic run failed'))
        .finally(() => {
          running = undefined;
          if (!stopped) schedule(seconds * 1000);
        });
    }, delayMs);
    // A pending run never keeps the process alive.
    timer.unref();
  };
  schedule(firstDelayMs);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}

export interface CaseCounts {
  open: { agency: string; stage: string; count: number }[];
  overdue: { agency: string; count: number }[];
}

/** Visibility counts at once per worker; the dev server allows 100 visibility requests a second per namespace. */
const COUNT_CONCURRENCY = 4;

/**
 * Counts the open cases of every configured agency by stage, and the overdue ones (reply deadline passed, the same
 * query as the supervisor board), one visibility count each: the SQL visibility stores of the dev server and of
 * PostgreSQL/MySQL clusters group only by ExecutionStatus.
 */
export async function countOpenCases(
  client: Client,
  register: Pick<Register, 'holidayNotices'>,
  config: Pick<GongkaiConfig, 'agencies'>,
  now = new Date(),
): Promise<CaseCounts> {
  const agencies = config.agencies.map((a) => a.code);
  const openQueries = await Promise.all(
    agencies.flatMap((agency) => OPEN_WORKFLOW_STAGES.map(async (stage) => ({ agency, stage, query: `${await openCasesQuery(register, { agency }, now)} AND GkStage = '${stage}'` }))),
  );
  const overdueQueries = await Promise.all(agencies.map(async (agency) => ({ agency, query: await openCasesQuery(register, { agency, overdue: true }, now) })));
  const count = async (query: string): Promise<number> => (await client.workflow.count(query)).count;
  return {
    open: await mapWithConcurrency(openQueries, COUNT_CONCURRENCY, async ({ agency, stage, query }) => ({ agency, stage, count: await count(query) })),
    overdue: await mapWithConcurrency(overdueQueries, COUNT_CONCURRENCY, async ({ agency, query }) => ({ agency, count: await count(query) })),
  };
}

export interface AppMetricsDeps {
  config: Pick<GongkaiConfig, 'agencies' | 'monitoring'>;
  client: Client;
  register: Pick<Register, 'holidayNotices'>;
}

/**
 * The worker-process service of the open-case gauges: counts every `metricsPollSeconds`, the first at once. Without a
 * Prometheus endpoint (GONGKAI_METRICS_ADDRESS unset) there is nobody to report to, and it counts nothing.
 */
export async function startAppMetrics({ config, client, register }: AppMetricsDeps): Promise<() => Promise<void>> {
  const settings = monitoringSettings(config);
  const meter = appMetricMeter();
  if (meter === noopMetricMeter || settings.metricsPollSeconds === 0) return async () => {};
  const openCases = meter.createGauge(OPEN_CASES_METRIC, 'int', '', 'Open cases (running request workflows) by agency and stage');
  const overdueCases = meter.createGauge(OVERDUE_CASES_METRIC, 'int', '', 'Open cases whose reply deadline has passed, by agency');
  const stop = repeatEvery('app-metrics', settings.metricsPollSeconds, async () => {
    const counts = await countOpenCases(client, register, config);
    for (const { agency, stage, count } of counts.open) openCases.set(count, { agency, stage });
    for (const { agency, count } of counts.overdue) overdueCases.set(count, { agency });
  });
  logger.info({ everySeconds: settings.metricsPollSeconds }, 'open-case gauges polled');
  return stop;
}
