import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TemporalSettings } from '../domain/config';
import { actorOf, type GongkaiConfig } from '../domain/gongkai-config';
import type { Actor } from '../domain/roles';
import { InvalidInputError } from '../domain/validation';
import { actUpdate, type CaseView } from '../workflows/request/messages';

// What interfaces (CLI, web app) do to act on a case: resolve people from the configuration, then send the
// `act` update. The workflow's validator decides; nothing here re-implements a rule.

export function actorFor(config: Pick<GongkaiConfig, 'users'>, userId: string, field = 'actor'): Actor {
  const user = config.users.find((u) => u.id === userId);
  if (!user) throw new InvalidInputError('Actor', [{ field, message: '未配置的用户 / not a configured user' }]);
  return actorOf(user);
}

const PERSON_ACTIONS = new Set(['assign-handler', 'reassign-handler', 'hand-over']);

/**
 * The deepest nesting an act's data may have. Payloads are a few levels deep; JSON nested thousands deep cannot even
 * be converted to a Temporal payload (the converter's JSON.stringify overflows the stack), so it is refused here.
 */
export const MAX_PAYLOAD_DEPTH = 32;

/** Whether `value` nests objects or arrays more than `limit` deep (walked without recursion). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}

/** `{ handlerId }` in an assignment becomes the resolved person the workflow checks (`{ handler }`). */
export function resolvePayload(config: Pick<GongkaiConfig, 'users'>, action: string, data: unknown): unknown {
  if (nestedDeeperThan(data, MAX_PAYLOAD_DEPTH)) {
    throw new InvalidInputError('Action', [{ field: 'data', message: `嵌套不能超过${MAX_PAYLOAD_DEPTH}层 / nested more than ${MAX_PAYLOAD_DEPTH} levels deep` }]);
  }
  if (!PERSON_ACTIONS.has(action) || data === null || typeof data !== 'object' || !('handlerId' in data)) return data;
  const { handlerId, ...rest } = data as { handlerId: unknown };
  const { userId, roles, agencyCode } = actorFor(config, String(handlerId), 'data.handlerId');
  return { ...rest, handler: { userId, roles, agencyCode } };
}

export interface ActOptions {
  action: string;
  actor: Actor;
  data?: unknown;
  /** The caller's id for this act (a form token): sending it twice applies it once. */
  updateId?: string;
}

export async function actOnCase(client: Client, caseNumber: string, options: ActOptions): Promise<CaseView> {
  return client.workflow.getHandle(caseNumber).executeUpdate(actUpdate, {
    args: [{ action: options.action, actor: options.actor, data: options.data }],
    updateId: options.updateId ?? randomUUID(),
  });
}

/** How long an interface waits for a worker to answer an act or a query. */
export const ANSWER_TIMEOUT_MS = 30_000;

/** No worker answers: an act or query would wait until one appears (the web app says 503, the CLI says so). */
export class NoWorkerError extends Error {}

/** Refuses to wait on a task queue nobody polls: an act or query would hang until a worker appears. */
export async function requireWorker(client: Client, temporalSettings: Pick<TemporalSettings, 'namespace' | 'taskQueue' | 'address'>): Promise<void> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: temporalSettings.namespace,
    taskQueue: { name: temporalSettings.taskQueue },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  if (!pollers?.length) {
    throw new NoWorkerError(`no worker is polling task queue '${temporalSettings.taskQueue}' at ${temporalSettings.address}: start one (npm start, or gongkai worker)`);
  }
}

/** Runs `work` against Temporal, giving up after ANSWER_TIMEOUT_MS: a worker that does not answer is a NoWorkerError. */
export async function withAnswerTimeout<T>(client: Client, what: string, work: () => Promise<T>, timeoutMs = ANSWER_TIMEOUT_MS): Promise<T> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    return await client.withAbortSignal(abort.signal, work);
  } catch (err) {
    if (abort.signal.aborted) throw new NoWorkerError(`no answer to ${what} within ${timeoutMs / 1000} s: is a worker running?`, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
