import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Register } from '../../register';
import { actOnCase, actorFor, resolvePayload } from '../../workers/case-client';
import { createDataConverter } from '../../workers/connection';
import { submitApplication } from '../../workers/intake';
import { loadConfig, type LoadedConfig } from '../../workers/load-config';
import { openConfiguredRegister } from '../../workers/open-register';
import { randomSubmissionId } from '../helpers/register';
import { exampleApplication } from '../helpers/request-harness';
import { type WalkthroughStep, walkthroughSteps } from '../helpers/walkthrough';
import { SmtpCapture } from '../helpers/smtp-capture';
import { createDevServerEnv, uniqueTaskQueue } from '../helpers/temporal-env';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

// Two worker processes (`gongkai worker`, as deployed) on one dev server and one register; one is killed -9 while the
// cases are half-way: every case finishes on the other (docs/deployment.md).

const CASES = 4;
const WALK = walkthroughSteps();
const KILL_AFTER = 6;

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let dataDir: string;
let config: LoadedConfig;
let register: Register;
let client: Client;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [env, smtp] = await Promise.all([createDevServerEnv(), SmtpCapture.start()]);
  dataDir = mkdtempSync(join(tmpdir(), 'gongkai-two-workers-'));
  const processEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: env.address,
    GONGKAI_DATA_DIR: dataDir,
    GONGKAI_TASK_QUEUE: uniqueTaskQueue('two-workers'),
    GONGKAI_SMTP_PORT: String(smtp.port),
  };
  config = loadConfig({ env: processEnv }); // generates the data dir's keys once, before the workers read them
  register = await openConfiguredRegister(config, processEnv);
  workers.push(...(await Promise.all([startWorkerProcess(processEnv, 60_000), startWorkerProcess(processEnv, 60_000)])));
  const connection = await Connection.connect({ address: env.address });
  client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.codecKeys) });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await client?.connection.close();
  await register?.close();
  await env?.teardown();
  await smtp?.close();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function walk(caseNumber: string, steps: WalkthroughStep[]): Promise<void> {
  for (const { userId, action, data } of steps) {
    await actOnCase(client, caseNumber, { action, actor: actorFor(config, userId), data: resolvePayload(config, action, data) });
  }
}

test('a worker killed -9 half-way: every case finishes on the other', async () => {
  const cases: string[] = [];
  for (let i = 0; i < CASES; i++) {
    cases.push((await submitApplication({ client, register, config }, { submissionId: randomSubmissionId(), application: exampleApplication, registeredBy: 'zrzy.registrar' })).caseNumber);
  }
  await Promise.all(cases.map((caseNumber) => walk(caseNumber, WALK.slice(0, KILL_AFTER))));

  const [killed, survivor] = workers;
  const killedAt = Date.now();
  await killed!.kill9();

  // The cases' workflow tasks were cached on both workers; the killed one's sticky queues time out and the survivor
  // rebuilds those cases from their histories.
  await Promise.all(cases.map((caseNumber) => walk(caseNumber, WALK.slice(KILL_AFTER))));
  for (const caseNumber of cases) {
    const handle = client.workflow.getHandle(caseNumber);
    await expect(handle.result()).resolves.toBe('archived');
    expect(await register.readCase(caseNumber)).toMatchObject({ stage: 'archived', outcome: 'partially-disclosed' });
  }
  expect(survivor!.child.exitCode).toBeNull();
  // A figure for docs/deployment.md, not an assertion: how long the rest of the walkthrough took after the kill.
  console.log(`failover: ${CASES} cases finished ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);

  // Both workers did the work: the killed one took workflow tasks before it died, the survivor after.
  const identities = new Set<string>();
  for (const caseNumber of cases) {
    const { events } = await client.workflow.getHandle(caseNumber).fetchHistory();
    for (const event of events ?? []) {
      const identity = event.workflowTaskStartedEventAttributes?.identity;
      if (identity) identities.add(identity.split('@')[0]!);
    }
  }
  expect([...identities].sort()).toEqual([String(killed!.pid), String(survivor!.pid)].sort());
}, 240_000);
