// Full request lifecycles per second — submit, the README walkthrough's 13 acts, archived — against raw Temporal: a
// minimal workflow (bench/baseline-workflows.ts) taking as many no-op updates and running as many no-op activities,
// after each update, as a real lifecycle's history shows. Both run on one dev server (SQLite file, WAL, as `npm
// start`), each with its own worker in this process, in alternating batches. Then where gongkai's extra time goes:
// CPU by process and thread, time inside each activity, payload codec, history size; `--profile` adds a sampled CPU
// profile of this process's main thread (activities, codec, client) by package.
//   npx tsx bench/lifecycle.ts [--lifecycles 12] [--concurrency 3] [--rounds 2] [--profile]
import { randomUUID } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { relative, sep } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { beijingDateOf } from '../domain/dates';
import type { Register } from '../register';
import { actOnCase, actorFor, resolvePayload } from '../workers/case-client';
import { PROJECT_ROOT } from '../workers/config';
import { FAILURE_CONVERTER_PATH } from '../workers/connection';
import { AesGcmPayloadCodec } from '../workers/encryption-codec';
import { submitApplication } from '../workers/intake';
import { createMailTransport } from '../workers/mail-transport';
import { openConfiguredRegister } from '../workers/open-register';
import { createActivities, createWorker } from '../workers/worker';
import { randomResidentId } from '../test/helpers/id-numbers';
import { prng } from '../test/helpers/random';
import { randomSubmissionId } from '../test/helpers/register';
import { exampleApplication } from '../test/helpers/request-harness';
import { quietTemporalRuntime } from '../test/helpers/temporal-env';
import { walkthroughSteps } from '../test/helpers/walkthrough';
import { baselineLifecycleWorkflow, baselineUpdate } from './baseline-workflows';
import { historyFigures, mib, ms, parseBenchArgs, printFinished, printMachine, printTable, processCpuMs, ratio, runScript, startBenchStack, summarise, threadCpuDelta, threadCpuMs, type HistoryFigures } from './kit';

const { values: args, flags, command } = parseBenchArgs(
  'lifecycle.ts',
  {
    lifecycles: { default: 12, help: 'counted lifecycles of each kind (after one warm-up of each)' },
    concurrency: { default: 3, help: 'lifecycles in flight at once' },
    rounds: { default: 2, help: 'batches of each kind, alternating gongkai and baseline' },
  },
  { profile: "sample this process's main thread during gongkai batches; print self time by package" },
);

type Kind = 'gongkai' | 'baseline';

/** Wall time spent inside each activity function, as this process ran it. */
class ActivityClock {
  readonly byName = new Map<string, { count: number; ms: number }>();
  wrap<T extends object>(activities: T): T {
    return Object.fromEntries(
      Object.entries(activities).map(([name, fn]) => [
        name,
        async (...input: unknown[]) => {
          const started = performance.now();
          try {
            return await (fn as (...a: unknown[]) => Promise<unknown>)(...input);
          } finally {
            const entry = this.byName.get(name) ?? { count: 0, ms: 0 };
            entry.count++;
            entry.ms += performance.now() - started;
            this.byName.set(name, entry);
          }
        },
      ]),
    ) as T;
  }
}

/** The gongkai payload codec, timed: client and worker share it in this process. */
class TimedCodec implements PayloadCodec {
  ms = 0;
  payloads = 0;
  bytesIn = 0;
  bytesOut = 0;
  constructor(private readonly inner: PayloadCodec) {}
  private async time(payloads: Payload[], run: (p: Payload[]) => Promise<Payload[]>): Promise<Payload[]> {
    const started = performance.now();
    const out = await run(payloads);
    this.ms += performance.now() - started;
    this.payloads += payloads.length;
    for (const p of payloads) this.bytesIn += p.data?.length ?? 0;
    for (const p of out) this.bytesOut += p.data?.length ?? 0;
    return out;
  }
  encode(payloads: Payload[]): Promise<Payload[]> {
    return this.time(payloads, (p) => this.inner.encode(p));
  }
  decode(payloads: Payload[]): Promise<Payload[]> {
    return this.time(payloads, (p) => this.inner.decode(p));
  }
}

/** Threads of this process by role: the main thread, each worker's workflow thread, the SDK core's (Rust) threads. */
class ThreadRoles {
  private readonly roles = new Map<string, string>();
  constructor() {
    this.roles.set(String(process.pid), 'main thread (activities, codec, client, SDK glue)');
  }
  /** Node threads that `create` starts are the new worker's workflow threads (the SDK runs workflows in worker threads). */
  async labelNew<T>(role: string, create: () => Promise<T>): Promise<T> {
    const before = new Set(threadCpuMs(process.pid).keys());
    const value = await create();
    for (const [tid, { name }] of threadCpuMs(process.pid)) if (!before.has(tid) && !this.roles.has(tid) && name === 'node') this.roles.set(tid, role);
    return value;
  }
  snapshot(): Map<string, number> {
    const byRole = new Map<string, number>();
    const byThread = threadCpuMs(process.pid);
    for (const [tid, { name, cpuMs }] of byThread) {
      const role = this.roles.get(tid) ?? (name.startsWith('tokio') ? 'SDK core threads (Rust: gRPC, history, state machines)' : 'other threads (V8 GC and platform, libuv pool)');
      byRole.set(role, (byRole.get(role) ?? 0) + cpuMs);
    }
    return byRole;
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { url: string; functionName: string }; children?: number[] }[];
  samples?: number[];
  timeDeltas?: number[];
}

const V8_PSEUDO_FRAMES: Record<string, string> = { '(garbage collector)': '(garbage collector)', '(program)': '(V8 and native code)', '(idle)': '(idle)', '(root)': '(root)' };

/** The package (node_modules) or project folder of a script URL. */
function packageOf(url: string): string {
  // node:zlib, node:internal/streams, …: which built-in, not just that it was one.
  if (url.startsWith('node:')) return url.split('/').slice(0, url.startsWith('node:internal/') ? 2 : 1).join('/');
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf(`node_modules${sep}`);
  if (modules >= 0) {
    const parts = path.slice(modules + `node_modules${sep}`.length).split(sep);
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const inProject = relative(PROJECT_ROOT, path);
  return inProject.startsWith('..') ? path : `${inProject.split(sep)[0]}/ (gongkai)`;
}

/** Self time of a CPU profile by package or project folder; native functions count for the package that called them. */
function profileByPackage(profile: CpuProfile, into: Map<string, number>): void {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const category = new Map<number, string>();
  const categoryOf = (id: number): string => {
    const known = category.get(id);
    if (known !== undefined) return known;
    const { url, functionName } = byId.get(id)!.callFrame;
    let name: string;
    if (url !== '') name = packageOf(url);
    else if (V8_PSEUDO_FRAMES[functionName]) name = V8_PSEUDO_FRAMES[functionName]!;
    else name = parent.has(id) ? categoryOf(parent.get(id)!) : `(native) ${functionName}`;
    if (name === '(root)') name = `(native) ${functionName}`;
    category.set(id, name);
    return name;
  };
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const name = categoryOf(samples[i]!);
    into.set(name, (into.get(name) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
}

interface BatchTotals {
  lifecycles: number;
  wallMs: number;
  latencies: number[];
  serverCpuMs: number;
  threadCpu: Map<string, number>;
  /** How late a 10 ms timer of this process fired, µs: activities, codec and every workflow activation's results wait alike. */
  eventLoopDelay: RecordableHistogram;
}

/** Records, until stopped, how late a 10 ms interval timer fires on this process's main thread. */
function recordEventLoopLateness(into: RecordableHistogram): () => void {
  let expected = performance.now() + 10;
  const timer = setInterval(() => {
    const now = performance.now();
    into.record(Math.max(1, Math.round((now - expected) * 1000)));
    expected = now + 10;
  }, 10);
  return () => clearInterval(timer);
}

async function main(): Promise<void> {
  printMachine(command);
  quietTemporalRuntime();
  const gongkaiQueue = `bench-gongkai-${randomUUID().slice(0, 8)}`;
  const baselineQueue = `bench-baseline-${randomUUID().slice(0, 8)}`;
  const stack = await startBenchStack('lifecycle', gongkaiQueue);
  const serverPid = stack.server.process.pid!;
  let register: Register | undefined;
  let connection: Connection | undefined;
  let native: NativeConnection | undefined;
  const workers: Worker[] = [];
  let running: Promise<unknown> | undefined;
  try {
    const { config } = stack;
    register = await openConfiguredRegister(config, stack.env);
    const codec = new TimedCodec(AesGcmPayloadCodec.fromSettings(config.codecKeys));
    const dataConverter = { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH };
    connection = await Connection.connect({ address: stack.server.address });
    native = await NativeConnection.connect({ address: stack.server.address });
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
    const rawClient = new Client({ connection, namespace: config.temporal.namespace });

    const clock = new ActivityClock();
    const roles = new ThreadRoles();
    // What `gongkai worker` runs (workers/worker.ts createWorker), with its activities and codec timed.
    const gongkaiWorker = await roles.labelNew('gongkai workflow thread', () =>
      createWorker(config, native!, register!, {
        taskQueue: gongkaiQueue,
        activities: clock.wrap(createActivities({ config, register: register!, transport: createMailTransport(config.smtp) })),
        dataConverter,
      }),
    );
    const baselineWorker = await roles.labelNew('baseline workflow thread', () =>
      Worker.create({
        connection: native!,
        namespace: config.temporal.namespace,
        taskQueue: baselineQueue,
        workflowsPath: require.resolve('./baseline-workflows'),
        activities: { noop: async () => undefined },
      }),
    );
    workers.push(gongkaiWorker, baselineWorker);
    running = Promise.all(workers.map((w) => w.run()));

    const today = beijingDateOf(new Date().toISOString());
    const steps = walkthroughSteps(today);
    const random = prng(20261128);

    const gongkaiLifecycle = async (): Promise<string> => {
      // Every applicant a different person, as in an office: one applicant's earlier cases would grow with the run.
      const application = { ...exampleApplication, applicant: { ...exampleApplication.applicant, idDocument: { kind: 'resident-id-card', number: randomResidentId(random) } } };
      const { caseNumber } = await submitApplication({ client, register: register!, config }, { submissionId: randomSubmissionId(), application, registeredBy: 'zrzy.registrar' });
      for (const { userId, action, data } of steps) {
        await actOnCase(client, caseNumber, { action, actor: actorFor(config, userId), data: resolvePayload(config, action, data) });
      }
      const stage = await client.workflow.getHandle(caseNumber).result();
      if (stage !== 'archived') throw new Error(`case ${caseNumber} ended in stage ${stage}`);
      return caseNumber;
    };

    // One real lifecycle first: its history says how many updates and activities the baseline must match.
    const warmUp = await gongkaiLifecycle();
    const realHistory = historyFigures((await client.workflow.getHandle(warmUp).fetchHistory()).events ?? []);
    const plan = realHistory.activitiesPerUpdate;
    console.log(`plan from ${warmUp}: ${realHistory.updates} updates; activities before the first and after each: [${plan.join(', ')}]`);

    const baselineLifecycle = async (): Promise<string> => {
      const workflowId = `baseline-${randomUUID()}`;
      const handle = await rawClient.workflow.start(baselineLifecycleWorkflow, { taskQueue: baselineQueue, workflowId, args: [{ activitiesPerUpdate: plan }] });
      for (const { action, data } of steps) await handle.executeUpdate(baselineUpdate, { args: [{ action, data }] });
      const received = await handle.result();
      if (received !== steps.length) throw new Error(`baseline ${workflowId} took ${received} updates`);
      return workflowId;
    };
    const baselineWarmUp = await baselineLifecycle();

    const run: Record<Kind, () => Promise<string>> = { gongkai: gongkaiLifecycle, baseline: baselineLifecycle };
    const totals: Record<Kind, BatchTotals> = {
      gongkai: { lifecycles: 0, wallMs: 0, latencies: [], serverCpuMs: 0, threadCpu: new Map(), eventLoopDelay: createHistogram() },
      baseline: { lifecycles: 0, wallMs: 0, latencies: [], serverCpuMs: 0, threadCpu: new Map(), eventLoopDelay: createHistogram() },
    };
    const ids: Record<Kind, string[]> = { gongkai: [warmUp], baseline: [baselineWarmUp] };
    const activityMsBefore = new Map([...clock.byName].map(([name, { ms: spent, count }]) => [name, { ms: spent, count }]));
    const codecBefore = { ms: codec.ms, payloads: codec.payloads, bytesIn: codec.bytesIn };
    const profile = new Map<string, number>();
    const session = flags.has('profile') ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
    }

    const perBatch = Math.max(1, Math.floor(args.lifecycles / args.rounds));
    for (let round = 0; round < args.rounds; round++) {
      for (const kind of ['gongkai', 'baseline'] as const) {
        const count = round === args.rounds - 1 ? args.lifecycles - perBatch * (args.rounds - 1) : perBatch;
        if (count <= 0) continue;
        if (kind === 'gongkai' && session) await session.post('Profiler.start');
        const threadsBefore = roles.snapshot();
        const serverBefore = processCpuMs(serverPid);
        const started = performance.now();
        const stopLateness = recordEventLoopLateness(totals[kind].eventLoopDelay);
        let next = 0;
        const clerk = async () => {
          while (next < count) {
            next++;
            const one = performance.now();
            ids[kind].push(await run[kind]());
            totals[kind].latencies.push(performance.now() - one);
          }
        };
        await Promise.all(Array.from({ length: Math.min(args.concurrency, count) }, clerk));
        const wall = performance.now() - started;
        stopLateness();
        totals[kind].wallMs += wall;
        totals[kind].lifecycles += count;
        totals[kind].serverCpuMs += processCpuMs(serverPid) - serverBefore;
        for (const [role, spent] of threadCpuDelta(threadsBefore, roles.snapshot())) totals[kind].threadCpu.set(role, (totals[kind].threadCpu.get(role) ?? 0) + spent);
        if (kind === 'gongkai' && session) profileByPackage((await session.post('Profiler.stop')).profile, profile);
        console.log(`round ${round + 1}: ${count} ${kind} lifecycles in ${(wall / 1000).toFixed(1)} s (${((count * 1000) / wall).toFixed(2)}/s)`);
      }
    }
    const codecSpent = { ms: codec.ms - codecBefore.ms, payloads: codec.payloads - codecBefore.payloads, bytesIn: codec.bytesIn - codecBefore.bytesIn };

    // ---------------------------------------------------------------------------------------------- throughput
    console.log('\n(a) lifecycles per second, and the time one lifecycle takes from submission to its result');
    const rate = (kind: Kind) => (totals[kind].lifecycles * 1000) / totals[kind].wallMs;
    const rows = (['gongkai', 'baseline'] as const).map((kind) => {
      const s = summarise(totals[kind].latencies);
      return [kind === 'gongkai' ? 'gongkai (submit → 13 acts → archived)' : 'baseline (start → 13 no-op updates → completed)', totals[kind].lifecycles, args.concurrency, rate(kind).toFixed(2), ms(s.p50, 0), ms(s.p95, 0)];
    });
    rows.push(['ratio gongkai / baseline', '', '', ratio(rate('gongkai'), rate('baseline')), ratio(summarise(totals.gongkai.latencies).p50, summarise(totals.baseline.latencies).p50), ratio(summarise(totals.gongkai.latencies).p95, summarise(totals.baseline.latencies).p95)]);
    printTable(['workflow', 'lifecycles', 'in flight', 'per second', 'latency p50 ms', 'latency p95 ms'], rows);

    // ---------------------------------------------------------------------------------------------- where it goes
    const histories: Record<Kind, HistoryFigures[]> = { gongkai: [], baseline: [] };
    const historyBytes: Record<Kind, number[]> = { gongkai: [], baseline: [] };
    for (const kind of ['gongkai', 'baseline'] as const) {
      for (const id of ids[kind].slice(1)) {
        const handle = (kind === 'gongkai' ? client : rawClient).workflow.getHandle(id);
        histories[kind].push(historyFigures((await handle.fetchHistory()).events ?? []));
        historyBytes[kind].push((await handle.describe()).historySize ?? NaN);
      }
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / (values.length || 1);
    const perLifecycle = (kind: Kind, pick: (h: HistoryFigures) => number) => mean(histories[kind].map(pick));
    const cpuPer = (kind: Kind, value: number) => value / totals[kind].lifecycles;
    const allRoles = [...new Set([...totals.gongkai.threadCpu.keys(), ...totals.baseline.threadCpu.keys()])].sort();
    const both = (label: string, value: (kind: Kind) => number, digits = 0, compare = true): (string | number)[] => {
      const g = value('gongkai');
      const b = value('baseline');
      return [label, g.toFixed(digits), b.toFixed(digits), (g - b).toFixed(digits), compare ? ratio(g, b) : '—'];
    };
    console.log('\nper lifecycle (means over the counted lifecycles; CPU over their batches, all in flight at once)');
    printTable(
      ['per lifecycle', 'gongkai', 'baseline', 'difference', 'ratio'],
      [
        both('CPU ms, dev server process', (k) => cpuPer(k, totals[k].serverCpuMs)),
        both("CPU ms, this process: the kind's own workflow thread", (k) => cpuPer(k, totals[k].threadCpu.get(`${k} workflow thread`) ?? 0)),
        // Each kind's workflow thread idles while the other kind runs: no ratio between them.
        ...allRoles.map((role) => both(`CPU ms, this process: ${role}`, (k) => cpuPer(k, totals[k].threadCpu.get(role) ?? 0), 0, !role.includes('workflow thread'))),
        both('history events', (k) => perLifecycle(k, (h) => h.events)),
        both('history size, bytes (server)', (k) => mean(historyBytes[k])),
        both('payload bytes in history', (k) => perLifecycle(k, (h) => h.payloadBytes)),
        both('workflow tasks', (k) => perLifecycle(k, (h) => h.workflowTasks), 1),
        both('workflow task ms (started → completed, summed)', (k) => perLifecycle(k, (h) => h.workflowTaskMs)),
        both('updates', (k) => perLifecycle(k, (h) => h.updates), 1),
        both('activity tasks', (k) => perLifecycle(k, (h) => [...h.activities.values()].reduce((s, a) => s + a.count, 0)), 1),
        both('activity ms (started → completed, summed)', (k) => perLifecycle(k, (h) => [...h.activities.values()].reduce((s, a) => s + a.ms, 0))),
        both('timers started', (k) => perLifecycle(k, (h) => h.timers), 1),
      ],
    );

    console.log('\nevent-loop delay of this process during the batches, ms (how late a 10 ms timer fired: how long anything ready waited for the main thread)');
    printTable(
      ['batches', 'p50', 'p99', 'max'],
      (['gongkai', 'baseline'] as const).map((kind) => {
        const h = totals[kind].eventLoopDelay;
        return [kind, ms(h.percentile(50) / 1e3), ms(h.percentile(99) / 1e3), ms(h.max / 1e3)];
      }),
    );

    console.log('\ngongkai activities per lifecycle: count, and wall time inside the function in this process (counted batches)');
    const activityRows = [...clock.byName]
      .map(([name, { count, ms: spent }]) => {
        const before = activityMsBefore.get(name) ?? { count: 0, ms: 0 };
        return { name, count: (count - before.count) / totals.gongkai.lifecycles, ms: (spent - before.ms) / totals.gongkai.lifecycles };
      })
      .filter((row) => row.count > 0)
      .sort((a, b) => b.ms - a.ms);
    const activityTotal = activityRows.reduce((sum, row) => sum + row.ms, 0);
    printTable(
      ['activity', 'calls', 'ms inside', 'ms per call', 'share'],
      [
        ...activityRows.map((row) => [row.name, row.count.toFixed(1), ms(row.ms), ms(row.ms / row.count), `${((100 * row.ms) / activityTotal).toFixed(0)} %`]),
        ['all activities', activityRows.reduce((s, r) => s + r.count, 0).toFixed(1), ms(activityTotal), '', '100 %'],
        ['payload codec (AES-256-GCM, client and worker)', (codecSpent.payloads / totals.gongkai.lifecycles).toFixed(0), ms(codecSpent.ms / totals.gongkai.lifecycles), ms(codecSpent.ms / Math.max(1, codecSpent.payloads), 3), `${mib(codecSpent.bytesIn / totals.gongkai.lifecycles)} MiB in`],
      ],
    );

    if (session) {
      session.disconnect();
      const total = [...profile].filter(([name]) => name !== '(idle)').reduce((s, [, v]) => s + v, 0);
      console.log(`\nmain thread CPU profile during gongkai batches: self time by package (${ms(total / totals.gongkai.lifecycles)} ms per lifecycle sampled, idle excluded)`);
      printTable(
        ['package or folder', 'ms per lifecycle', 'share'],
        [...profile]
          .filter(([name]) => name !== '(idle)')
          .sort((a, b) => b[1] - a[1])
          .slice(0, 15)
          .map(([name, spent]) => [name, ms(spent / totals.gongkai.lifecycles), `${((100 * spent) / total).toFixed(0)} %`]),
      );
    }
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
