// gongkai's activities (no workflows) in a process of their own, so that a test can have the worker killed -9 at a
// chosen point of sending an email:
//   node --require tsx/cjs test/helpers/activity-worker-child.ts '<json>'   (see ActivityWorkerJob)
// Prints "ready" once polling.
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Transporter } from 'nodemailer';
import type { Register } from '../../register';
import type { RegisterDbSettings } from '../../register/database';
import { openRegister } from '../../register';
import { loadConfig } from '../../workers/load-config';
import { createMailTransport } from '../../workers/mail-transport';
import { createActivities } from '../../workers/worker';
import { TEST_APPLICANT_INDEX_KEY } from './register';
import { testDataConverter } from './temporal-env';
import { TEST_CODEC_KEYS } from './test-keys';

/** Where the process dies, at its `nth` email: after reserving the key and before SMTP; after SMTP accepted and before the ledger says sent; after the ledger says sent and before the activity reports back. */
export type FaultPoint = 'before-smtp' | 'after-smtp-accept' | 'after-ledger';

export interface ActivityWorkerJob {
  address: string;
  taskQueue: string;
  register: RegisterDbSettings;
  smtpPort: number;
  dataDir: string;
  fault?: { at: FaultPoint; nth: number };
}

const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

function withFault(job: ActivityWorkerJob, register: Register, transport: Transporter): { register: Register; transport: Pick<Transporter, 'sendMail'> } {
  const fault = job.fault;
  if (!fault) return { register, transport };
  let count = 0;
  const reached = () => ++count === fault.nth;
  return {
    transport: {
      sendMail: (async (mail: Parameters<Transporter['sendMail']>[0]) => {
        if (fault.at === 'before-smtp' && reached()) die();
        const info = await transport.sendMail(mail);
        if (fault.at === 'after-smtp-accept' && reached()) die();
        return info;
      }) as Transporter['sendMail'],
    },
    register: {
      ...register,
      markEmail: async (key, outcome) => {
        await register.markEmail(key, outcome);
        if (fault.at === 'after-ledger' && outcome.status === 'sent' && reached()) die();
      },
    },
  };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as ActivityWorkerJob;
  const loaded = loadConfig({ env: { GONGKAI_DATA_DIR: job.dataDir } });
  const config = { ...loaded, smtp: { ...loaded.smtp, host: '127.0.0.1', port: job.smtpPort } };
  const register = await openRegister({ database: job.register, keys: TEST_CODEC_KEYS, applicantIndexKey: TEST_APPLICANT_INDEX_KEY });
  const faulty = withFault(job, register, createMailTransport(config.smtp));
  const connection = await NativeConnection.connect({ address: job.address });
  const worker = await Worker.create({
    connection,
    taskQueue: job.taskQueue,
    activities: createActivities({ config, register: faulty.register, transport: faulty.transport }),
    dataConverter: testDataConverter(),
  });
  process.stdout.write('ready\n');
  await worker.run();
}

void main();
