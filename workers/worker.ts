import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createRequestActivities } from '../activities/request-activities';
import type { Register } from '../register';
import { readHolidayNotices } from './calendar-files';
import type { RuntimeConfig } from './config';
import { createDataConverter } from './connection';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** The gongkai worker: every workflow and activity, on the configured task queue, with the encrypting converter. */
export async function createWorker(
  config: RuntimeConfig,
  connection: NativeConnection,
  register: Register,
  overrides: Partial<WorkerOptions> = {},
): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: createRequestActivities({ register, shippedNotices: () => readHolidayNotices() }),
    dataConverter: createDataConverter(config.codecKeys),
    ...overrides,
  });
}
