import type { Client } from '@temporalio/client';
import { type MetricMeter, noopMetricMeter } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { GongkaiConfig } from '../domain/gongkai-config';
import { STAGES } from '../domain/stages';
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
  const settings = config.monitoring;
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
