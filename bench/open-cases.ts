// Many open cases at once, as real request workflows created through the one intake path (workers/intake.ts), each
// by a different applicant, a share of them received long enough ago to be overdue:
//  (c) the supervisor's overdue list (workers/case-list.ts listOpenCases { overdue: true } over the agencies a
//      supervisor sees) p50/p95, against a bare `client.workflow.list` of the same query; and the same for what the
//      supervisor board (web/list-pages.ts) asks for: every open case of those agencies. Measured with the real cases,
//      then again with `--stand-ins` minimal workflows added that carry real cases' search attributes;
//  (d) the memory of a fresh `gongkai worker` process once every case has had a workflow task on it (a caseView query
//      each: the case replays from its history and stays in the worker's sticky cache): VmRSS of /proc/<pid>/status,
//      and process.memoryUsage() inside it (bench/memory-probe.js). First with its cache as configured
//      (temporal.maxCachedWorkflows, or --max-cached), then with the SDK's own default for its heap (what workers had
//      before the cap), against raw Temporal workers (bench/baseline-worker.ts) holding as many minimal workflows:
//      plain, bundled with zod, and bundled with gongkai's workflow modules.
//   npx tsx bench/open-cases.ts [--cases 500] [--stand-ins 0] [--max-cached 0] [--overdue-share 0.2]
//                               [--intake-concurrency 8] [--samples 20] [--worker-heap-mb 0] [--configured-only]
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { Client, Connection } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { addDays, beijingDateOf } from '../domain/dates';
import type { Register } from '../register';
import { listOpenCases, openCasesQuery } from '../workers/case-list';
import { PROJECT_ROOT } from '../workers/config';
import { createDataConverter } from '../workers/connection';
import { submitApplication } from '../workers/intake';
import { loadConfig } from '../workers/load-config';
import { openConfiguredRegister } from '../workers/open-register';
import { caseViewQuery, REQUEST_WORKFLOW_TYPE } from '../workflows/request/messages';
import { randomResidentId } from '../test/helpers/id-numbers';
import { freePort } from '../test/helpers/ports';
import { prng } from '../test/helpers/random';
import { exampleApplication } from '../test/helpers/request-harness';
import { baselineEntityWorkflow, baselineUpdate } from './baseline-workflows';
import { mib, ms, parseBenchArgs, printFinished, printMachine, printTable, ratio, residentBytes, runScript, startBenchStack, summarise, timed } from './kit';

const { values: args, flags, command } = parseBenchArgs('open-cases.ts', {
  cases: { default: 500, help: 'real open request workflows to create (and as many minimal ones for each baseline worker)' },
  'stand-ins': { default: 0, help: "minimal open workflows carrying real cases' search attributes, added for a second round of lists", zero: true },
  'max-cached': { default: 0, help: "GONGKAI_MAX_CACHED_WORKFLOWS of the workers that create and hold the cases (0: gongkai's configured default)", zero: true },
  'overdue-share': { default: 0.2, help: 'share of cases received long enough ago to be overdue', fraction: true },
  'intake-concurrency': { default: 8, help: 'submissions in flight at once' },
  samples: { default: 20, help: 'list calls of each kind' },
  'worker-heap-mb': { default: 0, help: "--max-old-space-size of every worker process (0: Node's default); a small heap shows the default cache's crash sooner", zero: true },
}, {
  // The other memory runs hold at most the SDK's default cache (2,310 here), so beyond that many cases they repeat.
  'configured-only': "(d) for the configured worker only: no worker with the SDK's default cache, no raw-Temporal baselines",
});

const PROBE = join(PROJECT_ROOT, 'bench', 'memory-probe.js');
const QUERY_TIMEOUT_MS = 60_000;

interface ProbedMemory {
  memory: NodeJS.MemoryUsage;
  heapSizeLimit: number;
}

/** A worker process with the memory probe preloaded; the tail of its output is kept, for when it dies. */
class WorkerChild {
  private tail = '';
  /** Set once the process has exited: how, and the last lines it printed. */
  exit: { code: number | null; signal: string | null; lastLines: string } | undefined;

  private constructor(readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => (this.tail = (this.tail + chunk.toString()).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', (code, signal) => {
      const lines = this.tail.split('\n').filter((line) => line.trim() !== '' && !/^\s*\d+: 0x/.test(line));
      this.exit = { code, signal, lastLines: lines.slice(-3).join('\n') };
    });
  }

  static async start(processArgs: string[], env: NodeJS.ProcessEnv): Promise<WorkerChild> {
    const heap = args['worker-heap-mb'] ? [`--max-old-space-size=${args['worker-heap-mb']}`] : [];
    const child = spawn(process.execPath, [...heap, '--expose-gc', '--require', PROBE, ...processArgs], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const worker = new WorkerChild(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker not running after 120 s:\n${worker.tail}`)), 120_000);
      child.stdout!.on('data', () => {
        if (worker.tail.includes('worker running')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${worker.tail}`)));
    });
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** VmRSS now, or NaN once the process is gone. */
  rss(): number {
    try {
      return residentBytes(this.pid).rss;
    } catch {
      return NaN;
    }
  }

  probe(message: 'memory' | 'memory-after-gc'): Promise<ProbedMemory> {
    return new Promise((resolve, reject) => {
      if (this.exit) return reject(new Error('the worker has exited'));
      this.child.once('message', (reply) => resolve(reply as ProbedMemory));
      this.child.send(message);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    if (this.child.connected) this.child.disconnect();
    this.child.kill('SIGINT');
    await exited;
  }
}

/** The SDK's default workflow cache size for a heap limit (@temporalio/worker worker-options.js, reuseV8Context). */
const defaultMaxCachedWorkflows = (heapSizeLimit: number) => Math.max(Math.floor((Math.max(heapSizeLimit / 2 ** 20 - 200, 0) * 600) / 1024), 10);

/** One metric of a Prometheus text page (its series summed); undefined when absent or unreachable. */
async function metric(url: string, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(url)).text();
    const values = text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
    return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
  } catch {
    return undefined;
  }
}

interface MemoryRow {
  label: string;
  rss: number;
  peak: number;
  probed: ProbedMemory;
  afterGc: ProbedMemory;
}

async function memoryOf(label: string, worker: WorkerChild): Promise<MemoryRow> {
  const probed = await worker.probe('memory');
  const { rss, peak } = residentBytes(worker.pid);
  const afterGc = await worker.probe('memory-after-gc');
  return { label, rss, peak, probed, afterGc };
}

/** Runs a client call, giving up after `timeoutMs` (a call to a worker that died would wait for another one forever). */
async function withTimeout<T>(client: Client, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    return await client.withAbortSignal(abort.signal, call);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `work` for indices 0..count-1, `concurrency` at a time, until done or `stop()` says so; returns the wall time. */
async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<void>, stop: () => boolean = () => false): Promise<number> {
  let next = 0;
  const { ms: spent } = await timed(() =>
    Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (next < count && !stop()) await work(next++);
      }),
    ),
  );
  return spent;
}

/** Samples of the lists, alternating: listOpenCases and the bare list of its query, for the overdue list and the board. */
async function measureLists(client: Client, register: Register, agencies: string[], samples: number, caption: string): Promise<void> {
  const overdueQuery = await openCasesQuery(register, { overdue: true, agencies });
  const boardQuery = await openCasesQuery(register, { agencies });
  const expectedOverdue = (await client.workflow.count(overdueQuery)).count;
  const expectedOpen = (await client.workflow.count(boardQuery)).count;
  const bareList = async (query: string) => {
    let rows = 0;
    for await (const execution of client.workflow.list({ query })) rows += execution.workflowId ? 1 : 0;
    return rows;
  };
  const kinds = {
    overdue: { label: 'listOpenCases({ overdue: true, agencies })', run: async () => (await listOpenCases(client, register, { overdue: true, agencies })).length },
    bareOverdue: { label: 'baseline: bare client.workflow.list, same query', run: () => bareList(overdueQuery) },
    board: { label: 'listOpenCases({ agencies }) (what /board calls)', run: async () => (await listOpenCases(client, register, { agencies })).length },
    bareBoard: { label: 'baseline: bare client.workflow.list, same query', run: () => bareList(boardQuery) },
  };
  type Kind = keyof typeof kinds;
  const times = new Map<Kind, number[]>();
  const rows = new Map<Kind, number>();
  for (let i = 0; i < samples; i++) {
    for (const kind of Object.keys(kinds) as Kind[]) {
      const { ms: spent, value } = await timed(kinds[kind].run);
      times.set(kind, [...(times.get(kind) ?? []), spent]);
      rows.set(kind, value);
    }
  }
  console.log(`\n(c) open-case lists, ${caption}; count(): ${expectedOverdue} overdue, ${expectedOpen} open`);
  console.log(`overdue query: ${overdueQuery}`);
  const row = (kind: Kind) => {
    const s = summarise(times.get(kind)!);
    return [kinds[kind].label, rows.get(kind) ?? 0, s.n, ms(s.p50), ms(s.p95), ms(s.max)];
  };
  const ratios = (a: Kind, b: Kind) => {
    const x = summarise(times.get(a)!);
    const y = summarise(times.get(b)!);
    return ['ratio', '', '', ratio(x.p50, y.p50), ratio(x.p95, y.p95), ratio(x.max, y.max)];
  };
  printTable(['list', 'rows', 'n', 'p50 ms', 'p95 ms', 'max ms'], [row('overdue'), row('bareOverdue'), ratios('overdue', 'bareOverdue'), row('board'), row('bareBoard'), ratios('board', 'bareBoard')]);
}

async function main(): Promise<void> {
  printMachine(command);
  const stack = await startBenchStack('open-cases', `bench-${randomUUID().slice(0, 8)}`);
  const metricsPort = await freePort();
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const workerEnv = { ...stack.env, GONGKAI_METRICS_ADDRESS: `127.0.0.1:${metricsPort}` };
  const gongkaiWorkerArgs = [join(PROJECT_ROOT, 'bin', 'gongkai.js'), 'worker'];
  const configuredEnv = args['max-cached'] ? { ...workerEnv, GONGKAI_MAX_CACHED_WORKFLOWS: String(args['max-cached']) } : workerEnv;
  let register: Register | undefined;
  let connection: Connection | undefined;
  let registerReader: SQLite.Database | undefined;
  const children: WorkerChild[] = [];
  try {
    const { config } = stack;
    const creator = await WorkerChild.start(gongkaiWorkerArgs, configuredEnv);
    children.push(creator);
    register = await openConfiguredRegister(config, stack.env);
    registerReader = new SQLite(config.database.sqliteFile, { readonly: true, fileMustExist: true });
    const settledCount = registerReader.prepare("SELECT count(*) AS n FROM gk_audit_event WHERE action = 'compute-deadlines'");
    const settled = () => (settledCount.get() as { n: number }).n;
    connection = await Connection.connect({ address: stack.server.address });
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.codecKeys) });
    const rawClient = new Client({ connection, namespace: config.temporal.namespace });
    const cases = args.cases;
    const perSecond = (spent: number, count = cases) => ((count * 1000) / spent).toFixed(1);

    // ------------------------------------------------------------------------------------------- create the cases
    const random = prng(10_000);
    const today = beijingDateOf(new Date().toISOString());
    const share = args['overdue-share'];
    const receivedOn = (i: number) => {
      // Overdue: received 40–99 days ago (20 working days have passed); the others 0–14 days ago.
      const overdue = share === 1 || (i * share) % 1 < share - 1e-9;
      return addDays(today, overdue ? -(40 + (i % 60)) : -(i % 15));
    };
    const application = (i: number) => ({
      ...exampleApplication,
      applicant: { ...exampleApplication.applicant, idDocument: { kind: 'resident-id-card', number: randomResidentId(random) } },
      channel: { kind: 'in-person', submittedAt: `${receivedOn(i)}T10:15:00+08:00` },
    });
    const caseNumbers: string[] = [];
    const creationCurve: (string | number)[][] = [];
    const intakeStarted = performance.now();
    const sampleCreation = () => creationCurve.push([((performance.now() - intakeStarted) / 1000).toFixed(0), settled(), mib(creator.rss())]);
    const sampler = setInterval(sampleCreation, Math.max(5_000, Math.min(60_000, cases * 6)));
    let submittedMs: number;
    let settledMs: number;
    let quietMs: number;
    try {
      submittedMs = await inParallel(cases, args['intake-concurrency'], async (i) => {
        const { caseNumber } = await submitApplication({ client, register: register!, config }, { submissionId: `bench-open-${i}-${randomUUID().slice(0, 8)}`, application: application(i), registeredBy: 'zrzy.registrar' });
        caseNumbers.push(caseNumber);
      });
      while (settled() < cases) {
        if (creator.exit) throw new Error(`the creating worker exited (${creator.exit.code ?? creator.exit.signal}) with ${settled()} cases settled:\n${creator.exit.lastLines}`);
        await delay(500);
      }
      settledMs = performance.now() - intakeStarted;
      // Then until the worker has nothing left to do (emails, reminders): no task slot in use on three reads in a row.
      for (let quiet = 0; quiet < 3; ) {
        quiet = ((await metric(metricsUrl, 'temporal_worker_task_slots_used')) ?? 0) === 0 ? quiet + 1 : 0;
        await delay(1_000);
      }
      quietMs = performance.now() - intakeStarted;
    } finally {
      clearInterval(sampler);
    }
    sampleCreation();
    const configuredCache = loadConfig({ env: configuredEnv }).temporal.maxCachedWorkflows;
    const creatorMemory = await memoryOf(`gongkai worker (maxCachedWorkflows ${configuredCache}) that created the ${cases} cases`, creator);
    await creator.stop();
    console.log(`\ncreating ${cases} open request workflows (intake ${args['intake-concurrency']} at a time, one worker process)`);
    const projected = (spent: number) => `${((spent * (10_000 / cases)) / 60_000).toFixed(1)} min`;
    printTable(
      ['step', 'seconds', 'cases per second', 'projected for 10,000 cases'],
      [
        ['all submitted (register + workflow start)', (submittedMs / 1000).toFixed(1), perSecond(submittedMs), projected(submittedMs)],
        ['all settled (first task, calendar, receipt letter, clock in the register)', (settledMs / 1000).toFixed(1), perSecond(settledMs), projected(settledMs)],
        ['worker idle (reminder emails sent)', (quietMs / 1000).toFixed(1), perSecond(quietMs), projected(quietMs)],
      ],
    );
    console.log('\nRSS of the creating worker while the cases were created');
    printTable(['s', 'cases settled', 'VmRSS MiB'], creationCurve);

    // ----------------------------------------------------------------------------------------- (c) the lists
    const agencies = config.agencies.map((a) => a.code);
    await measureLists(client, register, agencies, args.samples, `${cases} open request workflows (all real)`);
    if (args['stand-ins'] > 0) {
      // Stand-ins: type requestWorkflow, the search attributes of a real case each, on a task queue no worker polls
      // (Running, first task never taken). To the visibility store they are open cases like the real ones.
      const attributes: SearchAttributePair[][] = [];
      for await (const execution of client.workflow.list({ query: await openCasesQuery(register, { agencies }) })) {
        attributes.push(execution.typedSearchAttributes.getAll().filter((pair) => pair.key.name.startsWith('Gk')));
      }
      const standInMs = await inParallel(args['stand-ins'], 32, async (i) => {
        await rawClient.workflow.start(REQUEST_WORKFLOW_TYPE, { taskQueue: 'bench-stand-ins-nobody-polls', workflowId: `bench-stand-in-${i}`, typedSearchAttributes: attributes[i % attributes.length]! });
      });
      const total = cases + args['stand-ins'];
      const openQuery = await openCasesQuery(register, { agencies });
      while ((await client.workflow.count(openQuery)).count < total) await delay(500);
      console.log(`\n${args['stand-ins']} stand-ins started in ${(standInMs / 1000).toFixed(1)} s (${perSecond(standInMs, args['stand-ins'])}/s)`);
      await measureLists(client, register, agencies, args.samples, `${total} open: ${cases} real request workflows + ${args['stand-ins']} minimal stand-ins with their search attributes`);
    }

    // ----------------------------------------------------------------------------------------- (d) memory
    // A fresh worker, then one query per case: each case replays its history on it and stays in its sticky cache
    // (up to maxCachedWorkflows), so the worker's memory is that of the open cases, not of rendering their letters.
    // First as configured, then with the cache the SDK would choose for this heap.
    const memoryRows: MemoryRow[] = [creatorMemory];
    const perCached: string[] = [];
    const cacheLimit = defaultMaxCachedWorkflows(creatorMemory.probed.heapSizeLimit);
    for (const cache of flags.has('configured-only') ? [configuredCache] : [configuredCache, cacheLimit]) {
      const label = `gongkai worker, maxCachedWorkflows ${cache}${cache === cacheLimit ? " (the SDK's default for this heap)" : ''}`;
      const worker = await WorkerChild.start(gongkaiWorkerArgs, { ...workerEnv, GONGKAI_MAX_CACHED_WORKFLOWS: String(cache) });
      children.push(worker);
      const idle = await memoryOf(`${label}, fresh, no case yet`, worker);
      const curve: (string | number)[][] = [];
      let queried = 0;
      let failed = 0;
      const started = performance.now();
      const sample = async () => curve.push([((performance.now() - started) / 1000).toFixed(0), queried, failed, (await metric(metricsUrl, 'temporal_sticky_cache_size')) ?? '—', mib(worker.rss())]);
      const sampler = setInterval(() => void sample(), Math.max(2_000, Math.min(30_000, cases * 4)));
      let loadMs: number;
      try {
        loadMs = await inParallel(
          caseNumbers.length,
          8,
          async (i) => {
            try {
              await withTimeout(client, QUERY_TIMEOUT_MS, () => client.workflow.getHandle(caseNumbers[i]!).query(caseViewQuery));
              queried++;
            } catch {
              failed++;
            }
          },
          () => worker.exit !== undefined,
        );
      } finally {
        clearInterval(sampler);
      }
      await sample();
      console.log(`\n${label}: one caseView query for each of the ${cases} cases (8 at a time), each replaying the case from its history: ${queried} answered, ${failed} failed, in ${(loadMs / 1000).toFixed(1)} s (${perSecond(loadMs, queried + failed)}/s)`);
      printTable(['s', 'queries answered', 'failed', 'sticky cache size', 'VmRSS MiB'], curve);
      if (worker.exit) {
        const alive = curve.filter((row) => typeof row[3] === 'number');
        const most = (column: number) => Math.max(...alive.map((row) => Number(row[column])));
        console.log(`THE WORKER DIED (exit ${worker.exit.code ?? worker.exit.signal}) after holding up to ${most(3)} cached workflows, VmRSS up to ${most(4).toFixed(1)} MiB; its last lines:\n${worker.exit.lastLines}`);
        continue;
      }
      const full = await memoryOf(`${label}, all ${cases} open cases queried once`, worker);
      const cached = (await metric(metricsUrl, 'temporal_sticky_cache_size')) ?? NaN;
      await worker.stop();
      memoryRows.push(idle, full);
      perCached.push(`${label} ${(((full.afterGc.memory.rss - idle.afterGc.memory.rss) / cached) / 1024).toFixed(0)} KiB over ${cached} cached`);
    }

    // Raw Temporal: as many minimal workflows, each updated once (so each has had its first task on the worker): from
    // the plain bundle, one that also holds zod, and one that holds gongkai's workflow modules: without, then with the
    // modules gongkai's workers share across workflows (workers/connection.ts SHARED_WORKFLOW_MODULES).
    const baselines = [
      { bundle: 'plain', shared: false, label: 'baseline worker' },
      { bundle: 'with-zod', shared: false, label: 'baseline worker, bundle with zod' },
      { bundle: 'with-gongkai-modules', shared: false, label: 'baseline worker, bundle with gongkai modules, none shared' },
      { bundle: 'with-gongkai-modules', shared: true, label: "baseline worker, bundle with gongkai modules, gongkai's shared" },
    ];
    for (const { bundle, shared, label } of flags.has('configured-only') ? [] : baselines) {
      const baselineQueue = `bench-baseline-${randomUUID().slice(0, 8)}`;
      const worker = await WorkerChild.start(['--require', 'tsx/cjs', join(PROJECT_ROOT, 'bench', 'baseline-worker.ts')], {
        ...process.env,
        TEMPORAL_ADDRESS: stack.server.address,
        BASELINE_TASK_QUEUE: baselineQueue,
        BASELINE_BUNDLE: bundle,
        BASELINE_SHARED_MODULES: shared ? '1' : '',
      });
      children.push(worker);
      const idle = await memoryOf(`${label}, no workflow yet`, worker);
      const count = Math.min(cases, cacheLimit);
      let updated = 0;
      const baselineMs = await inParallel(
        count,
        32,
        async () => {
          const handle = await rawClient.workflow.start(baselineEntityWorkflow, { taskQueue: baselineQueue, workflowId: `baseline-${randomUUID()}` });
          // An update needs the workflow's first task: every one has run on the worker once this returns.
          await withTimeout(rawClient, QUERY_TIMEOUT_MS, () => handle.executeUpdate(baselineUpdate, { args: [{ action: 'opened' }] }))
            .then(() => updated++)
            .catch(() => undefined);
        },
        () => worker.exit !== undefined,
      );
      if (worker.exit) {
        console.log(`\n${label} DIED (exit ${worker.exit.code ?? worker.exit.signal}) after ${updated} of its ${count} workflows had their first task: ${worker.exit.lastLines}`);
        continue;
      }
      const full = await memoryOf(`${label}, ${count} open minimal workflows`, worker);
      await worker.stop();
      memoryRows.push(idle, full);
      perCached.push(`${label} ${((full.afterGc.memory.rss - idle.afterGc.memory.rss) / count / 1024).toFixed(0)} KiB over ${count}`);
      console.log(`\n${label}: ${count} minimal workflows started and updated once (32 at a time) in ${(baselineMs / 1000).toFixed(1)} s (${perSecond(baselineMs, count)}/s)`);
    }

    console.log(`\n(d) worker memory, MiB; the heap limit is ${mib(creatorMemory.probed.heapSizeLimit)} MiB (each workflow thread has the same), so the SDK's default maxCachedWorkflows is ${cacheLimit}`);
    console.log('(process.memoryUsage() heap figures cover the main thread only: workflows live in the SDK workflow thread, which only VmRSS and rss include)');
    printTable(
      ['process', 'VmRSS', 'VmHWM (peak)', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers', 'heapUsed after GC', 'rss after GC'],
      memoryRows.map((m) => [
        m.label,
        mib(m.rss),
        mib(m.peak),
        mib(m.probed.memory.heapTotal),
        mib(m.probed.memory.heapUsed),
        mib(m.probed.memory.external),
        mib(m.probed.memory.arrayBuffers),
        mib(m.afterGc.memory.heapUsed),
        mib(m.afterGc.memory.rss),
      ]),
    );
    console.log(`RSS per cached workflow (after GC, full minus idle): ${perCached.join('; ')}`);
    printFinished();
  } finally {
    for (const child of children) await child.stop();
    registerReader?.close();
    await connection?.close();
    await register?.close();
    await stack.stop();
  }
}

runScript(main);
