import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Transporter } from 'nodemailer';
import { createDigestActivities } from '../activities/digest';
import { createEmailActivities } from '../activities/email';
import { withHeartbeats } from '../activities/heartbeat';
import { createLetterActivities } from '../activities/letters';
import { createReminderActivities } from '../activities/reminders';
import { createRequestActivities } from '../activities/request-activities';
import type { Register } from '../register';
import { readHolidayNotices } from './calendar-files';
import { createDataConverter, SHARED_WORKFLOW_MODULES } from './connection';
import type { LoadedConfig } from './load-config';
import { createMailTransport } from './mail-transport';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface ActivityDeps {
  config: Pick<LoadedConfig, 'agencies' | 'users' | 'web' | 'smtp'>;
  register: Register;
  transport: Pick<Transporter, 'sendMail'>;
}

/** Every activity the workflows call, over the register and the mail transport; each heartbeats while it runs. */
export function createActivities({ config, register, transport }: ActivityDeps) {
  const email = createEmailActivities({ register, transport, from: config.smtp.from });
  return withHeartbeats({
    ...createRequestActivities({ register, shippedNotices: () => readHolidayNotices() }),
    ...email,
    ...createReminderActivities({ config, sendEmail: email.sendEmail }),
    ...createLetterActivities({ config, register, sendEmail: email.sendEmail }),
    ...createDigestActivities({ config, register, sendEmail: email.sendEmail }),
  });
}

/** The gongkai worker: every workflow and activity, on the configured task queue, with the encrypting converter. */
export async function createWorker(
  config: LoadedConfig,
  connection: NativeConnection,
  register: Register,
  overrides: Partial<WorkerOptions> = {},
): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    maxCachedWorkflows: config.temporal.maxCachedWorkflows,
    workflowsPath: WORKFLOWS_PATH,
    bundlerOptions: { preloadModules: [...SHARED_WORKFLOW_MODULES] },
    activities: createActivities({ config, register, transport: createMailTransport(config.smtp) }),
    dataConverter: createDataConverter(config.codecKeys),
    ...overrides,
  });
}
