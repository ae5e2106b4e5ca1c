// Prints how long one act (the `act` update) and one case-view query take from a client, end to end, on the real
// dev server (SQLite file, WAL, as `npm start`) with the real worker (every activity, the encrypting codec) and an
// SQLite register — what a person waits for after pressing a button — against a no-op update and a query on a
// minimal workflow of raw Temporal (bench/baseline-workflows.ts, default converter) on the same server. Samples
// alternate (act, no-op update, case view, baseline query), and each round starts once both workflows are idle
// (no activity or workflow task pending), as a person's next click would find them.
//   npx tsx bench/update-roundtrip.ts [--rounds 50]
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Register } from '../register';
import { actOnCase, actorFor, resolvePayload } from '../workers/case-client';
import { createDataConverter } from '../workers/connection';
import { submitApplication } from '../workers/intake';
import { openConfiguredRegister } from '../workers/open-register';
import { createWorker } from '../workers/worker';
import { caseViewQuery } from '../workflows/request/messages';
import { randomSubmissionId } from '../test/helpers/register';
import { exampleApplication } from '../test/helpers/request-harness';
import { quietTemporalRuntime } from '../test/helpers/temporal-env';
import { baselineEntityWorkflow, baselineQuery, baselineUpdate, finishSignal } from './baseline-workflows';
import { ms, parseBenchArgs, printFinished, printMachine, printTable, ratio, runScript, startBenchStack, summarise, timed } from './kit';

const { values: args, command } = parseBenchArgs('update-roundtrip.ts', {
  rounds: { default: 50, help: 'round trips of each kind' },
});

/** Waits (untimed) until the workflow has no activity and no workflow task pending. */
async function idle(handle: WorkflowHandle, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { raw } = await handle.describe();
    if (!raw.pendingActivities?.length && !raw.pendingWorkflowTask) return;
    await delay(20);
  }
  throw new Error(`${handle.workflowId} still busy after ${timeoutMs} ms`);
}

async function main(): Promise<void> {
  printMachine(command);
  quietTemporalRuntime();
  const stack = await startBenchStack('update-roundtrip', `bench-${randomUUID().slice(0, 8)}`);
  const baselineQueue = `bench-baseline-${randomUUID().slice(0, 8)}`;
  let register: Register | undefined;
  let connection: Connection | undefined;
  let native: NativeConnection | undefined;
  const workers: Worker[] = [];
  let running: Promise<unknown> | undefined;
  try {
    const { config } = stack;
    const setup = await timed(async () => {
      register = await openConfiguredRegister(config, stack.env);
      native = await NativeConnection.connect({ address: stack.server.address });
      connection = await Connection.connect({ address: stack.server.address });
      workers.push(
        await createWorker(config, native, register),
        await Worker.create({
          connection: native,
          namespace: config.temporal.namespace,
          taskQueue: baselineQueue,
          workflowsPath: require.resolve('./baseline-workflows'),
          activities: { noop: async () => undefined },
        }),
      );
      running = Promise.all(workers.map((w) => w.run()));
    });
    console.log(`setup (register, both workers with their workflow bundles): ${setup.ms.toFixed(0)} ms`);

    const client = new Client({ connection: connection!, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.codecKeys) });
    const rawClient = new Client({ connection: connection!, namespace: config.temporal.namespace });
    const intake = await timed(() => submitApplication({ client, register: register!, config }, { submissionId: randomSubmissionId(), application: exampleApplication, registeredBy: 'zrzy.registrar' }));
    const { caseNumber } = intake.value;
    const act = (userId: string, action: string, data: unknown) =>
      actOnCase(client, caseNumber, { action, actor: actorFor(config, userId), data: resolvePayload(config, action, data), updateId: randomUUID() });
    // The first act also waits for the case's first workflow task and its activities (calendar, receipt letter).
    const first = await timed(() => act('zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }));
    const caseHandle = client.workflow.getHandle(caseNumber);
    const baseline = await rawClient.workflow.start(baselineEntityWorkflow, { taskQueue: baselineQueue, workflowId: `baseline-${randomUUID()}` });
    const firstBaseline = await timed(() => baseline.executeUpdate(baselineUpdate, { args: [{ action: 'warm-up' }] }));

    const samples = { act: [] as number[], noop: [] as number[], view: [] as number[], baselineQuery: [] as number[] };
    for (let i = 1; i <= args.rounds; i++) {
      await Promise.all([idle(caseHandle), idle(baseline)]);
      const handlerId = i % 2 ? 'zrzy.handler2' : 'zrzy.handler1';
      const data = { handlerId, reason: `第${i}次调整` };
      const acted = await timed(() => act('zrzy.head', 'reassign-handler', data));
      if (acted.value.handlerId !== handlerId) throw new Error(`round ${i}: the case's handler is ${acted.value.handlerId}, expected ${handlerId}`);
      samples.act.push(acted.ms);
      const noop = await timed(() => baseline.executeUpdate(baselineUpdate, { args: [{ action: 'reassign-handler', data }] }));
      if (noop.value !== i + 1) throw new Error(`round ${i}: the baseline counted ${noop.value} updates`);
      samples.noop.push(noop.ms);
      await Promise.all([idle(caseHandle), idle(baseline)]);
      samples.view.push((await timed(() => caseHandle.query(caseViewQuery))).ms);
      samples.baselineQuery.push((await timed(() => baseline.query(baselineQuery))).ms);
    }
    const view = await caseHandle.query(caseViewQuery);
    const [caseDescription, baselineDescription] = await Promise.all([caseHandle.describe(), baseline.describe()]);
    await baseline.signal(finishSignal);

    console.log(`case ${caseNumber}: ${view.timeline.length} timeline entries, history ${caseDescription.historyLength} events / ${caseDescription.historySize} bytes; baseline history ${baselineDescription.historyLength} events / ${baselineDescription.historySize} bytes`);
    console.log(`intake (register allocation + workflow start): ${intake.ms.toFixed(1)} ms; first act (assign-handler, cold case): ${first.ms.toFixed(1)} ms; first baseline update: ${firstBaseline.ms.toFixed(1)} ms`);
    console.log('\n(b) round trip from the client, ms');
    const row = (label: string, values: number[]) => {
      const s = summarise(values);
      return [label, s.n, ms(s.min), ms(s.p50), ms(s.p95), ms(s.max)];
    };
    const actStats = summarise(samples.act);
    const noopStats = summarise(samples.noop);
    const viewStats = summarise(samples.view);
    const queryStats = summarise(samples.baselineQuery);
    printTable(
      ['round trip', 'n', 'min', 'p50', 'p95', 'max'],
      [
        row('act update (reassign-handler) on a request', samples.act),
        row('baseline: no-op update on a minimal workflow', samples.noop),
        ['ratio act / no-op', '', ratio(actStats.min, noopStats.min), ratio(actStats.p50, noopStats.p50), ratio(actStats.p95, noopStats.p95), ratio(actStats.max, noopStats.max)],
        row('caseView query on a request', samples.view),
        row('baseline: query on a minimal workflow', samples.baselineQuery),
        ['ratio caseView / baseline query', '', ratio(viewStats.min, queryStats.min), ratio(viewStats.p50, queryStats.p50), ratio(viewStats.p95, queryStats.p95), ratio(viewStats.max, queryStats.max)],
      ],
    );
    printFinished();
  } finally {
    for (const worker of workers) worker.shutdown();
    await running;
    await native?.close();
    await connection?.close();
    await register?.close();
    await stack.stop();
  }
}

runScript(main);
