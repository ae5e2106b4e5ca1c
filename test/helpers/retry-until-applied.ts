import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { InvalidInputError } from '../../domain/validation';

// What an interface does when Temporal does not answer (a server restarting, no worker): send the same call again
// with the same idempotency key (the submission id, the act's update id), so that it is applied once however often
// it is sent. What the caller saw each time is kept, for the figures of a fault test.

export interface ClientFailure {
  /** What was being done, e.g. `act assign-handler LYG-ZRZY-2026-000012`. */
  operation: string;
  /** When the failed call began and ended (epoch ms). */
  startedAt: number;
  failedAt: number;
  /** The error as the caller saw it: class, gRPC status code if any, first line of the message. */
  error: string;
}

/** The gRPC status code carried by an error or its causes (ServiceError wraps the grpc-js error). */
export function grpcCodeOf(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

export function describeClientError(err: unknown): string {
  const name = err instanceof Error ? err.constructor.name : typeof err;
  const code = grpcCodeOf(err);
  const message = (err instanceof Error ? err.message : String(err)).split('\n', 1)[0];
  return `${name}${code === undefined ? '' : ` (gRPC ${code})`}: ${message}`;
}

/** A refusal is an answer (the workflow's validator, the intake's validation): sending it again cannot change it. */
const isRefusal = (err: unknown): boolean => err instanceof WorkflowUpdateFailedError || err instanceof InvalidInputError;

/**
 * Runs `call` until it succeeds, sending it again `pauseMs` after each failure that is not a refusal, for at most
 * `giveUpAfterMs`; each failure is appended to `failures`. `call` must carry its own idempotency key.
 */
export async function retryUntilApplied<T>(
  operation: string,
  call: () => Promise<T>,
  failures: ClientFailure[],
  { pauseMs = 1_000, giveUpAfterMs = 240_000 }: { pauseMs?: number; giveUpAfterMs?: number } = {},
): Promise<T> {
  const giveUpAt = Date.now() + giveUpAfterMs;
  for (;;) {
    const startedAt = Date.now();
    try {
      return await call();
    } catch (err) {
      if (isRefusal(err)) throw err;
      failures.push({ operation, startedAt, failedAt: Date.now(), error: describeClientError(err) });
      if (Date.now() > giveUpAt) throw err;
      await delay(pauseMs);
    }
  }
}
