// `gongkai worker` (cli/main.ts) with one change: the SDK's workflow cache capped at BENCH_MAX_CACHED_WORKFLOWS.
// bench/open-cases.ts runs it beside the real `gongkai worker`, whose default cache outgrows the workflow thread's heap.
//   TEMPORAL_ADDRESS=… GONGKAI_DATA_DIR=… BENCH_MAX_CACHED_WORKFLOWS=1000 node --require tsx/cjs bench/capped-worker.ts
import { connectWorkerConnection } from '../workers/connection';
import { loadConfig } from '../workers/load-config';
import { logger } from '../workers/logger';
import { openConfiguredRegister } from '../workers/open-register';
import { installTemporalRuntime } from '../workers/runtime';
import { createWorker } from '../workers/worker';

async function main(): Promise<void> {
  const maxCachedWorkflows = Number(process.env.BENCH_MAX_CACHED_WORKFLOWS);
  if (!Number.isInteger(maxCachedWorkflows) || maxCachedWorkflows < 2) throw new Error('BENCH_MAX_CACHED_WORKFLOWS must be an integer ≥ 2');
  installTemporalRuntime();
  const config = loadConfig();
  const register = await openConfiguredRegister(config);
  const connection = await connectWorkerConnection(config);
  try {
    const worker = await createWorker(config, connection, register, { maxCachedWorkflows });
    logger.info({ taskQueue: config.temporal.taskQueue, maxCachedWorkflows }, 'worker running');
    await worker.run();
  } finally {
    await connection.close();
    await register.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
