import { asyncLocalStorage, heartbeat } from '@temporalio/activity';

const HEARTBEAT_EVERY_MS = 2_000;

type AsyncFunction = (...args: never[]) => Promise<unknown>;

/**
 * Every activity heartbeats while it runs, so that a worker killed mid-activity is noticed within the workflow's
 * heartbeat timeout and another worker retries at once, instead of at the end of the attempt's start-to-close timeout.
 * Outside an activity (a direct call, e.g. one activity calling another's function) nothing is sent.
 */
export function withHeartbeats<T extends Record<string, AsyncFunction>>(activities: T): T {
  return Object.fromEntries(Object.entries(activities).map(([name, fn]) => [name, heartbeating(fn)])) as T;
}

function heartbeating<F extends AsyncFunction>(fn: F): F {
  const beatingWhileRunning = async (...args: Parameters<F>): Promise<unknown> => {
    if (!asyncLocalStorage.getStore()) return fn(...args);
    heartbeat();
    const beating = setInterval(() => heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      return await fn(...args);
    } finally {
      clearInterval(beating);
    }
  };
  return beatingWhileRunning as F;
}
