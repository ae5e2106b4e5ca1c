import type { Client } from '@temporalio/client';
import type { LoadedConfig } from './load-config';
import type { Register } from '../register';
import { startDigestSchedules } from './digest-schedules';
import { startAppMetrics } from './app-metrics';
import { startStuckCaseCheck } from './stuck-cases';

/** A service a worker process runs beside its worker (schedules it keeps, metrics it polls); returns its stop. */
type WorkerService = (deps: WorkerServiceDeps) => Promise<() => Promise<void>>;

export interface WorkerServiceDeps {
  config: LoadedConfig;
  client: Client;
  register: Register;
}

// Each entry is started once per worker process, after the namespace is reachable. Starting must be idempotent:
// N workers start them N times (schedules are created or updated, never duplicated).
const SERVICES: WorkerService[] = [startDigestSchedules, startAppMetrics, startStuckCaseCheck];

/** Starts every service of a worker process; the returned function stops them in reverse order. */
export async function startWorkerServices(deps: WorkerServiceDeps): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  for (const start of SERVICES) stops.push(await start(deps));
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
