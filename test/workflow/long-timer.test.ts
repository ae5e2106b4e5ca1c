import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleTestWorkflows, createTimeSkippingEnv, testDataConverter, uniqueTaskQueue } from '../helpers/temporal-env';
import { sleepDays } from '../workflows/proofs';

const DAY_MS = 24 * 60 * 60 * 1000;
let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundleTestWorkflows(require.resolve('../workflows/proofs')),
  ]);
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

test('a 30-day timer completes on the time-skipping server within the test timeout', async () => {
  const taskQueue = uniqueTaskQueue('long-timer');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    dataConverter: testDataConverter(),
  });
  const serverTimeBefore = await env.currentTimeMs();

  const slept = await worker.runUntil(
    env.client.workflow.execute(sleepDays, { args: [30], taskQueue, workflowId: `sleep-${taskQueue}` }),
  );

  expect(slept).toBeGreaterThanOrEqual(30 * DAY_MS);
  expect((await env.currentTimeMs()) - serverTimeBefore).toBeGreaterThanOrEqual(30 * DAY_MS);
}, 60_000);
