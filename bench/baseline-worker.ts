// A raw Temporal worker process with only bench/baseline-workflows.ts and a no-op activity, on the default data
// converter and the SDK's default options: the baseline bench/open-cases.ts holds a `gongkai worker` against. With
// BASELINE_BUNDLE=with-zod or with-gongkai-modules its bundle also holds zod, or gongkai's workflow modules (never called);
// with BASELINE_SHARED_MODULES=1 it shares the modules gongkai's workers share across workflows.
//   TEMPORAL_ADDRESS=127.0.0.1:7233 BASELINE_TASK_QUEUE=q node --require tsx/cjs bench/baseline-worker.ts
import { NativeConnection, Worker } from '@temporalio/worker';
import { quietTemporalRuntime } from '../test/helpers/temporal-env';
import { SHARED_WORKFLOW_MODULES } from '../workers/connection';

const BUNDLES: Partial<Record<string, string>> = {
  plain: './baseline-workflows',
  'with-zod': './baseline-with-zod',
  'with-gongkai-modules': './baseline-with-gongkai-modules',
};

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS;
  const taskQueue = process.env.BASELINE_TASK_QUEUE;
  if (!address || !taskQueue) throw new Error('TEMPORAL_ADDRESS and BASELINE_TASK_QUEUE must be set');
  quietTemporalRuntime();
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve(BUNDLES[process.env.BASELINE_BUNDLE ?? 'plain'] ?? './baseline-workflows'),
    activities: { noop: async () => undefined },
    bundlerOptions: process.env.BASELINE_SHARED_MODULES === '1' ? { preloadModules: [...SHARED_WORKFLOW_MODULES] } : {},
  });
  // The SDK's runtime shuts the worker down on SIGINT and SIGTERM.
  console.log(`worker running (maxCachedWorkflows ${worker.options.maxCachedWorkflows})`);
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
