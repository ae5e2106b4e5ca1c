import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleTestWorkflows, createDevServerEnv, testDataConverter, uniqueTaskQueue } from '../helpers/temporal-env';
import { finishSignal, markStage } from '../workflows/proofs';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([createDevServerEnv(), bundleTestWorkflows(require.resolve('../workflows/proofs'))]);
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

/** Visibility is eventually consistent: ask until the expected ids show up or time runs out. */
async function listIds(query: string, expectedCount: number, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ids: string[] = [];
    for await (const wf of env.client.workflow.list({ query })) ids.push(wf.workflowId);
    if (ids.length >= expectedCount || Date.now() > deadline) return ids.sort();
    await delay(200);
  }
}

test('a custom search attribute upserted by a workflow is found by a visibility query', async () => {
  const taskQueue = uniqueTaskQueue('search-attributes');
  const stage = `stage-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    dataConverter: testDataConverter(),
  });

  await worker.runUntil(async () => {
    const marked = await env.client.workflow.start(markStage, { args: [stage], taskQueue, workflowId: `marked-${taskQueue}` });
    const other = await env.client.workflow.start(markStage, { args: ['another-stage'], taskQueue, workflowId: `other-${taskQueue}` });

    expect(await listIds(`GkStage = '${stage}' AND ExecutionStatus = 'Running'`, 1)).toEqual([marked.workflowId]);

    await marked.signal(finishSignal);
    await other.signal(finishSignal);
    expect(await marked.result()).toBe(stage);
    expect(await listIds(`GkStage = '${stage}' AND ExecutionStatus = 'Completed'`, 1)).toEqual([marked.workflowId]);
  });
}, 120_000);
