// Prints how long one act (the `act` update) and one case-view query take from a client, end to end, on the
// real dev server with a real worker and an SQLite register: what a person waits for after pressing a button.
//   npx tsx bench/update-roundtrip.ts [n]       (n round trips of each; default 50)
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createRequestActivities } from '../activities/request-activities';
import type { Register } from '../register';
import { readHolidayNotices } from '../workers/calendar-files';
import { actOnCase, actorFor, resolvePayload } from '../workers/case-client';
import { PROJECT_ROOT } from '../workers/config';
import { submitApplication } from '../workers/intake';
import { loadConfig, type LoadedConfig } from '../workers/load-config';
import { WORKFLOWS_PATH } from '../workers/worker';
import { caseViewQuery } from '../workflows/request/messages';
import { createTestStore, randomSubmissionId, type TestStore } from '../test/helpers/register';
import { bundleTestWorkflows, createDevServerEnv, testDataConverter, uniqueTaskQueue } from '../test/helpers/temporal-env';

const rounds = Number(process.argv[2] ?? 50);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: npx tsx bench/update-roundtrip.ts [n]   (n: a positive integer, default 50)');
  process.exit(2);
}

/** Nearest-rank percentile of sorted samples. */
const percentile = (sorted: number[], p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;

function summary(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const ms = (value: number) => value.toFixed(1).padStart(7);
  console.log(
    `${label.padEnd(40)} min ${ms(sorted[0]!)} ms  median ${ms(percentile(sorted, 50))} ms  ` +
      `p95 ${ms(percentile(sorted, 95))} ms  max ${ms(sorted.at(-1)!)} ms  (n=${samples.length})`,
  );
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

async function main(): Promise<void> {
  let env: TestWorkflowEnvironment | undefined;
  let store: TestStore | undefined;
  let register: Register | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const taskQueue = uniqueTaskQueue('bench');
  try {
    const setup = await timed(async () => {
      const [devEnv, workflowBundle, testStore] = await Promise.all([
        createDevServerEnv(),
        bundleTestWorkflows(WORKFLOWS_PATH),
        createTestStore('sqlite'),
      ]);
      env = devEnv;
      store = testStore;
      register = await testStore.open();
      worker = await Worker.create({
        connection: devEnv.nativeConnection,
        taskQueue,
        workflowBundle,
        activities: createRequestActivities({ register, shippedNotices: () => readHolidayNotices() }),
        dataConverter: testDataConverter(),
      });
      running = worker.run();
    });
    console.log(`setup (dev server, workflow bundle, register, worker): ${setup.ms.toFixed(0)} ms`);

    const base = loadConfig({ env: { GONGKAI_DATA_DIR: join(store!.settings.sqliteFile, '..') } });
    const config: LoadedConfig = { ...base, temporal: { ...base.temporal, taskQueue } };
    const client = env!.client;
    const example = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'application-in-person.json'), 'utf8'));
    const act = (userId: string, action: string, data: unknown) =>
      actOnCase(client, caseNumber, { action, actor: actorFor(config, userId), data: resolvePayload(config, action, data), updateId: randomUUID() });

    const intake = await timed(() =>
      submitApplication(
        { client, register: register!, config },
        { submissionId: randomSubmissionId(), application: example.application, registeredBy: 'zrzy.registrar' },
      ),
    );
    const { caseNumber } = intake.value;
    // The first act also waits for the case's first workflow task and its calendar activity.
    const first = await timed(() => act('zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }));

    const acts: number[] = [];
    for (let i = 1; i <= rounds; i++) {
      const handlerId = i % 2 ? 'zrzy.handler2' : 'zrzy.handler1';
      const { ms, value } = await timed(() => act('zrzy.head', 'reassign-handler', { handlerId, reason: `第${i}次调整` }));
      if (value.handlerId !== handlerId) throw new Error(`round ${i}: the case's handler is ${value.handlerId}, expected ${handlerId}`);
      acts.push(ms);
    }
    const handle = client.workflow.getHandle(caseNumber);
    const queries: number[] = [];
    for (let i = 0; i < rounds; i++) queries.push((await timed(() => handle.query(caseViewQuery))).ms);
    const view = await handle.query(caseViewQuery);

    console.log(`case ${caseNumber}: ${view.timeline.length} timeline entries, ${view.runs} run(s), history ${(await handle.describe()).historyLength} events`);
    console.log(`intake (register allocation + workflow start)  ${intake.ms.toFixed(1)} ms`);
    console.log(`first act (assign-handler, cold case)         ${first.ms.toFixed(1)} ms`);
    summary('act update (reassign-handler)', acts);
    summary('caseView query', queries);
  } finally {
    worker?.shutdown();
    await running;
    await register?.close();
    await store?.destroy();
    await env?.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
