// Records the proof workflows' histories for the replay test. Run after changing test/workflows/proofs.ts
// on purpose (never to make a failing replay pass):  npx tsx test/histories/record-proofs.ts
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { bundleTestWorkflows, createTimeSkippingEnv, testDataConverter } from '../helpers/temporal-env';
import { finishSignal, markStage, sleepDays } from '../workflows/proofs';
import { saveHistory } from './save-history';

async function main(): Promise<void> {
  const env = await createTimeSkippingEnv();
  try {
    const taskQueue = 'record-proofs';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleTestWorkflows(require.resolve('../workflows/proofs')),
      dataConverter: testDataConverter(),
    });
    await worker.runUntil(async () => {
      const sleeper = await env.client.workflow.start(sleepDays, { args: [30], taskQueue, workflowId: 'proof-sleep-30-days' });
      await sleeper.result();
      const marked = await env.client.workflow.start(markStage, { args: ['登记'], taskQueue, workflowId: 'proof-mark-stage' });
      await marked.signal(finishSignal);
      await marked.result();
      for (const handle of [sleeper, marked]) {
        const file = join(__dirname, 'proofs', `${handle.workflowId}.json`);
        await saveHistory(handle, file);
      }
    });
  } finally {
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
