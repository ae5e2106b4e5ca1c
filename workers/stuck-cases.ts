import { type Client, isGrpcServiceError } from '@temporalio/client';
import type { MetricGauge } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { createEmailActivities, type SendOutcome } from '../activities/email';
import { createStuckCaseAlerts, type StuckCase } from '../activities/stuck-cases';
import type { GongkaiConfig } from '../domain/gongkai-config';
import type { Register } from '../register';
import { AgencyCode } from '../workflows/search-attributes';
import { appMetricMeter, mapWithConcurrency, repeatEvery } from './app-metrics';
import { openCasesQuery } from './case-list';
import { logger } from './logger';
import { createMailTransport } from './mail-transport';

// A case whose workflow task fails again and again (a bug, or non-determinism after a bad deploy) does nothing at
// all: no reminder, no act, no deadline kept — and nothing else says so. The dev server (CLI v1.5.1, server 1.29.1)
// has no TemporalReportedProblems search attribute to query, so every open case is described and its pending workflow
// task's attempt read: stuck from `monitoring.stuckAfterAttempts` on. (The TypeScript SDK reports a failure of the
// first attempt only; later attempts time out after the workflow task timeout, 10 s, so attempt N comes about
// 10 × (N − 2) s after the first failure.)
//
// Every worker process checks, rather than a Schedule firing a workflow: the check must work when workflow tasks do
// not (a deploy whose workflow bundle fails would fail a check workflow too), and each process's gauge must be its own
// finding, like the other gauges (aggregate with max). The email ledger keeps the alerts to one per case, admin and day.

export const STUCK_CASES_METRIC = 'gongkai_stuck_cases';

/** Describes at once per check; each is one cheap call to the history service. */
const DESCRIBE_CONCURRENCY = 8;
const GRPC_NOT_FOUND = 5;
const CAUSE_PREFIX = 'WORKFLOW_TASK_FAILED_CAUSE_';
/** The class line of a stack trace (`TypeError: …`): the identifier only, never what follows it. */
const ERROR_CLASS_LINE = /^((?:[A-Z][A-Za-z0-9_$]*)?(?:Error|Exception|Failure|Violation))(?::|$)/m;

export interface StuckCaseOptions {
  namespace: string;
  /** Stuck from this attempt of the pending workflow task on. */
  minAttempts: number;
}

/** A case to look at: its number and agency (from visibility, or from the case number). */
export interface StuckCandidate {
  caseNumber: string;
  agencyCode: string | null;
}

/** Every open case whose pending workflow task is on attempt `minAttempts` or later, the longest stuck first. */
export async function findStuckCases(client: Client, register: Pick<Register, 'holidayNotices'>, opts: StuckCaseOptions): Promise<StuckCase[]> {
  const open: StuckCandidate[] = [];
  for await (const wf of client.workflow.list({ query: await openCasesQuery(register, {}) })) {
    open.push({ caseNumber: wf.workflowId, agencyCode: wf.typedSearchAttributes.get(AgencyCode) ?? null });
  }
  return stuckAmong(client, open, opts);
}

/** Those of `candidates` that are stuck now (closed or unknown ones are not), the longest stuck first. */
export async function stuckAmong(client: Client, candidates: readonly StuckCandidate[], opts: StuckCaseOptions): Promise<StuckCase[]> {
  const described = await mapWithConcurrency(candidates, DESCRIBE_CONCURRENCY, async (candidate) => {
    try {
      const description = await client.workflowService.describeWorkflowExecution({ namespace: opts.namespace, execution: { workflowId: candidate.caseNumber } });
      const attempts = description.pendingWorkflowTask?.attempt ?? 0;
      return attempts >= opts.minAttempts ? { ...candidate, attempts, runId: description.workflowExecutionInfo?.execution?.runId ?? undefined } : undefined;
    } catch (err) {
      // Gone (deleted past retention): not stuck.
      if (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND) return undefined;
      throw err;
    }
  });
  const stuck = await Promise.all(
    described.flatMap((found) => (found ? [found] : [])).map(async ({ runId, ...found }) => ({ ...found, ...(await firstFailureOfStreak(client, opts.namespace, found.caseNumber, runId)) })),
  );
  return stuck.sort((a, b) => a.since.localeCompare(b.since) || a.caseNumber.localeCompare(b.caseNumber));
}

type StreakStart = Pick<StuckCase, 'since' | 'errorClass' | 'cause'>;

/**
 * When the failures began and what failed: the server records a workflow task's first failure (or timeout) in the
 * history and keeps the retries out of it, so the newest such event after the last completed task starts the streak.
 */
async function firstFailureOfStreak(client: Client, namespace: string, workflowId: string, runId: string | undefined): Promise<StreakStart> {
  const { history } = await client.workflowService.getWorkflowExecutionHistoryReverse({ namespace, execution: { workflowId, ...(runId ? { runId } : {}) }, maximumPageSize: 100 });
  for (const event of history?.events ?? []) {
    if (event.workflowTaskCompletedEventAttributes) break;
    const at = new Date(optionalTsToMs(event.eventTime) ?? Date.now()).toISOString();
    if (event.workflowTaskTimedOutEventAttributes) return { since: at, errorClass: null, cause: 'WORKFLOW_TASK_TIMED_OUT' };
    const failed = event.workflowTaskFailedEventAttributes;
    if (failed) {
      const causeName = failed.cause ? temporal.api.enums.v1.WorkflowTaskFailedCause[failed.cause] : undefined;
      return { since: at, errorClass: await errorClassOf(client, failed.failure), cause: causeName ? causeName.replace(CAUSE_PREFIX, '') : null };
    }
  }
  // The failures began before the page read (a long signal storm since): the attempt is known, the start is not, and
  // the time of the check stands in for it.
  return { since: new Date().toISOString(), errorClass: null, cause: null };
}

/** The failure's error class (`Error`, `DeterminismViolationError`), decoded with the client's codec; null if none shows. */
async function errorClassOf(client: Client, failure: temporal.api.failure.v1.IFailure | null | undefined): Promise<string | null> {
  if (!failure) return null;
  if (failure.applicationFailureInfo?.type) return failure.applicationFailureInfo.type;
  try {
    const error = await decodeOptionalFailureToOptionalError(client.options.loadedDataConverter, failure);
    return ERROR_CLASS_LINE.exec(error?.stack ?? '')?.[1] ?? null;
  } catch {
    // Encrypted with a key this process lacks: the cause still says enough.
    return null;
  }
}

export interface StuckCheckDeps {
  config: Pick<GongkaiConfig, 'agencies' | 'users' | 'web' | 'monitoring'> & { temporal: Pick<GongkaiConfig['temporal'], 'namespace'> };
  client: Client;
  register: Pick<Register, 'holidayNotices'>;
  alerts: ReturnType<typeof createStuckCaseAlerts>;
  /** The `gongkai_stuck_cases` gauge; its agencies are set to 0 once their cases recover. */
  gauge: StuckCasesGauge;
}

export interface StuckCheckResult {
  stuck: StuckCase[];
  emails: Record<SendOutcome, number>;
}

/** `gongkai_stuck_cases{agency}`: every configured agency, and any other agency a stuck case has had. */
export class StuckCasesGauge {
  private readonly agencies: Set<string>;

  constructor(
    private readonly gauge: MetricGauge,
    agencies: readonly string[],
  ) {
    this.agencies = new Set(agencies);
  }

  report(stuck: readonly StuckCase[]): void {
    for (const { agencyCode } of stuck) this.agencies.add(agencyCode ?? 'unknown');
    for (const agency of this.agencies) this.gauge.set(stuck.filter((s) => (s.agencyCode ?? 'unknown') === agency).length, { agency });
  }
}

/** The process's `gongkai_stuck_cases` gauge (a no-op without a Prometheus endpoint). */
export function createStuckCasesGauge(config: Pick<GongkaiConfig, 'agencies'>): StuckCasesGauge {
  const gauge = appMetricMeter().createGauge(STUCK_CASES_METRIC, 'int', '', 'Open cases whose workflow task keeps failing, by agency');
  return new StuckCasesGauge(gauge, config.agencies.map((a) => a.code));
}

/** One check: finds the stuck cases, reports the gauge, and alerts the admins (once per case and day). */
export async function checkStuckCases({ config, client, register, alerts, gauge }: StuckCheckDeps, now = new Date()): Promise<StuckCheckResult> {
  const { stuckAfterAttempts } = config.monitoring;
  const stuck = await findStuckCases(client, register, { namespace: config.temporal.namespace, minAttempts: stuckAfterAttempts });
  gauge.report(stuck);
  if (stuck.length > 0 && !config.users.some((user) => user.roles.includes('admin'))) {
    logger.warn({ stuck: stuck.length }, 'no admin user in the configuration: stuck cases are neither emailed nor shown on the supervisor board');
  }
  const emails: Record<SendOutcome, number> = { sent: 0, 'already-sent': 0, rejected: 0 };
  for (const found of stuck) {
    logger.warn({ caseNumber: found.caseNumber, attempts: found.attempts, since: found.since, errorClass: found.errorClass, cause: found.cause }, 'stuck case: its workflow task keeps failing');
    try {
      const sent = await alerts.alertStuckCase(found, now);
      for (const outcome of Object.keys(emails) as SendOutcome[]) emails[outcome] += sent[outcome];
    } catch (err) {
      // SMTP down: the ledger sent nothing for good, so the next check tries again.
      logger.error({ caseNumber: found.caseNumber, err: err instanceof Error ? err.message : String(err) }, 'stuck case alert not sent');
    }
  }
  return { stuck, emails };
}

export interface StuckCaseCheckServiceDeps {
  config: StuckCheckDeps['config'] & Pick<GongkaiConfig, 'smtp'>;
  client: Client;
  register: Pick<Register, 'holidayNotices' | 'reserveEmail' | 'markEmail'>;
}

/**
 * The worker-process service: checks every `monitoring.stuckCheckSeconds`, the first at a random moment within the
 * first interval, so that workers started together do not check (and email) in step.
 */
export async function startStuckCaseCheck({ config, client, register }: StuckCaseCheckServiceDeps): Promise<() => Promise<void>> {
  const settings = config.monitoring;
  if (settings.stuckCheckSeconds === 0) return async () => {};
  const transport = createMailTransport(config.smtp);
  const { sendEmail } = createEmailActivities({ register, transport, from: config.smtp.from });
  const deps: StuckCheckDeps = { config, client, register, alerts: createStuckCaseAlerts({ config, sendEmail }), gauge: createStuckCasesGauge(config) };
  const stop = repeatEvery(
    'stuck-cases',
    settings.stuckCheckSeconds,
    async () => {
      await checkStuckCases(deps);
    },
    Math.random() * settings.stuckCheckSeconds * 1000,
  );
  logger.info({ everySeconds: settings.stuckCheckSeconds, afterAttempts: settings.stuckAfterAttempts }, 'stuck-case check running');
  return async () => {
    await stop();
    transport.close();
  };
}
