import { setTimeout as delay } from 'node:timers/promises';
import { type Client, isGrpcServiceError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { REQUEST_WORKFLOW_TYPE, reloadCalendarSignal } from '../workflows/request/messages';

// A newly loaded holiday notice reaches every open case through one batch operation of the Temporal server: the
// server's own batcher signals each running case, rate-limited and resumable, visible in the Web UI and with
// `temporal batch describe`. No client loop has to survive signalling thousands of cases.
//
// The signal carries no data: each case fetches the calendar in force when it handles the signal. A case started
// after the notice was stored loads the new calendar at its start. Only a case whose start loaded the calendar just
// before the notice was stored, and which the visibility store did not list yet when the batch began (visibility lags
// a workflow's start by up to a second or so), misses it; loading the next notice reaches it.

/** The cases a calendar batch signals: every running request, whatever its stage. */
export const OPEN_CASES_QUERY = `WorkflowType = '${REQUEST_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;

const JOB_ID_PREFIX = 'gongkai-calendar-';
const { BatchOperationState } = temporal.api.enums.v1;
const GRPC_NOT_FOUND = 5;
const GRPC_ALREADY_EXISTS = 6;

/** The batch job id for a calendar version (`cn:2026,2027#1a2b3c4d` → `gongkai-calendar-cn-2026-2027-1a2b3c4d`). */
export function calendarBatchJobId(calendarVersion: string): string {
  return `${JOB_ID_PREFIX}${calendarVersion.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

export interface SignalOpenCasesOptions {
  /** The namespace of the cases; the client's by default. */
  namespace?: string;
  /** Shown with the batch in the Web UI and `temporal batch describe`. */
  reason: string;
  /** The calendar version now in force (`WorkingDayCalendar.version`): one batch per version. */
  calendarVersion: string;
}

export interface StartedBatch {
  jobId: string;
  /** False when a batch for this version had already run or is running: loading the same notice again. */
  started: boolean;
}

/**
 * Starts the batch that signals `reloadCalendar` to every open case, once per calendar version: the job id is
 * derived from the version, and the server refuses a second job with the same id (for as long as it keeps the
 * first, the namespace's retention), which is taken as done.
 *
 * A version can come back (notice A loaded, then a wrong B, then A again). Its first batch moved the cases to A
 * before B moved them away, so it counts as done only while it is the latest calendar batch; otherwise another
 * batch starts under the id with the next suffix (`…-2`, `…-3`). So it does when the latest batch failed or missed
 * cases (a run that continued as new in between): repeating the load reaches them.
 */
export async function signalOpenCases(client: Client, options: SignalOpenCasesOptions): Promise<StartedBatch> {
  const namespace = options.namespace ?? client.options.namespace;
  const baseId = calendarBatchJobId(options.calendarVersion);
  const ofThisVersion = (jobId: string) => jobId === baseId || new RegExp(`^${baseId}-\\d+$`).test(jobId);

  const earlier = await calendarBatches(client, namespace);
  const latest = earlier[0];
  if (latest && ofThisVersion(latest.jobId)) {
    const progress = await describeBatch(client, latest.jobId, namespace);
    if (progress.state === 'running' || (progress.state === 'completed' && progress.failed === 0)) return { jobId: latest.jobId, started: false };
  }
  const runs = earlier.filter((job) => ofThisVersion(job.jobId)).length;
  const jobId = runs === 0 ? baseId : `${baseId}-${runs + 1}`;
  try {
    await client.workflowService.startBatchOperation({
      namespace,
      jobId,
      reason: options.reason,
      visibilityQuery: OPEN_CASES_QUERY,
      signalOperation: { signal: reloadCalendarSignal.name, identity: client.options.identity },
    });
    return { jobId, started: true };
  } catch (err) {
    // A concurrent or repeated load of the same version, or a batch not yet listed by the visibility store.
    if (isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS) return { jobId, started: false };
    throw err;
  }
}

/** gongkai's calendar batches in the namespace, latest first. */
async function calendarBatches(client: Client, namespace: string): Promise<{ jobId: string; startedMs: number }[]> {
  const jobs: { jobId: string; startedMs: number }[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listBatchOperations({ namespace, pageSize: 100, nextPageToken });
    for (const info of page.operationInfo ?? []) {
      if (info.jobId?.startsWith(JOB_ID_PREFIX)) jobs.push({ jobId: info.jobId, startedMs: timestampMs(info.startTime) });
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return jobs.sort((a, b) => b.startedMs - a.startedMs);
}

export interface BatchProgress {
  jobId: string;
  state: 'running' | 'completed' | 'failed';
  /** Cases the batch found by its visibility query. */
  total: number;
  /** Cases signalled. */
  completed: number;
  /** Cases the signal did not reach (most often: closed between the query and the signal). */
  failed: number;
}

export class BatchStillRunningError extends Error {
  override readonly name = 'BatchStillRunningError';
  constructor(readonly progress: BatchProgress) {
    super(
      `batch ${progress.jobId} still running (${progress.completed} of ${progress.total} case(s) signalled): ` +
        `follow it with \`temporal batch describe --job-id ${progress.jobId}\``,
    );
  }
}

export async function describeBatch(client: Client, jobId: string, namespace = client.options.namespace): Promise<BatchProgress> {
  const described = await client.workflowService.describeBatchOperation({ namespace, jobId });
  const { BATCH_OPERATION_STATE_COMPLETED, BATCH_OPERATION_STATE_FAILED } = BatchOperationState;
  return {
    jobId,
    state:
      described.state === BATCH_OPERATION_STATE_COMPLETED ? 'completed' : described.state === BATCH_OPERATION_STATE_FAILED ? 'failed' : 'running',
    total: count(described.totalOperationCount),
    completed: count(described.completeOperationCount),
    failed: count(described.failureOperationCount),
  };
}

/** Waits until the batch has completed or failed; throws BatchStillRunningError after `timeoutMs`. */
export async function waitForBatch(
  client: Client,
  { jobId, namespace = client.options.namespace, timeoutMs = 120_000, pollIntervalMs = 500 }: { jobId: string; namespace?: string; timeoutMs?: number; pollIntervalMs?: number },
): Promise<BatchProgress> {
  const deadline = Date.now() + timeoutMs;
  let progress: BatchProgress = { jobId, state: 'running', total: 0, completed: 0, failed: 0 };
  for (;;) {
    try {
      progress = await describeBatch(client, jobId, namespace);
      if (progress.state !== 'running') return progress;
    } catch (err) {
      // Just started: the batch's own workflow may not be found for a moment.
      if (!(isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND)) throw err;
    }
    if (Date.now() + pollIntervalMs > deadline) throw new BatchStillRunningError(progress);
    await delay(pollIntervalMs);
  }
}

/** A protobuf int64 (a Long object, or a number when small). */
type Int64 = number | { toNumber(): number } | null | undefined;
const count = (value: Int64): number => (value == null ? 0 : typeof value === 'number' ? value : value.toNumber());
const timestampMs = (ts: { seconds?: Int64; nanos?: number | null } | null | undefined): number =>
  ts ? count(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6) : 0;
