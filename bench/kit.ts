// What every benchmark shares: the machine it ran on, a dev server started as `npm start` starts it (SQLite file, WAL),
// the configuration of a throw-away data directory, percentiles, and per-process and per-thread CPU from /proc.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { temporal } from '@temporalio/proto';
import { type RunningDevServer, startDevServer } from '../workers/dev-server';
import { loadConfig, type LoadedConfig } from '../workers/load-config';
import { type MailCapture, startMailCapture } from '../workers/mail-capture';
import { temporalCliPath } from '../workers/tool-paths';
import { freePort } from '../test/helpers/ports';

// ------------------------------------------------------------------------------------------------------ arguments

export interface OptionSpec {
  default: number;
  help: string;
  /** Allows fractions (shares) instead of positive integers. */
  fraction?: boolean;
  /** Allows 0 as well as positive integers. */
  zero?: boolean;
}

/**
 * Parses `--name value` options, each a positive integer (or a fraction in (0, 1]); prints `usage` and exits 2 on
 * anything else. Returns the values and the command line as typed, for RESULTS.md.
 */
export function parseBenchArgs<K extends string>(script: string, specs: Record<K, OptionSpec>, flags: Record<string, string> = {}): { values: Record<K, number>; flags: Set<string>; command: string } {
  const usage = () => {
    const lines = Object.entries<OptionSpec>(specs).map(([name, spec]) => `  --${name} <n>   ${spec.help} (default ${spec.default})`);
    for (const [name, help] of Object.entries(flags)) lines.push(`  --${name}       ${help}`);
    return `usage: npx tsx bench/${script} [options]\n${lines.join('\n')}`;
  };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      options: {
        ...Object.fromEntries(Object.keys(specs).map((name) => [name, { type: 'string' as const }])),
        ...Object.fromEntries(Object.keys(flags).map((name) => [name, { type: 'boolean' as const }])),
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage()}`);
    process.exit(2);
  }
  if (parsed.values.help) {
    console.log(usage());
    process.exit(0);
  }
  const values = {} as Record<K, number>;
  for (const [name, spec] of Object.entries<OptionSpec>(specs)) {
    const text = parsed.values[name];
    const value = typeof text === 'string' ? Number(text) : spec.default;
    const valid = spec.fraction ? value > 0 && value <= 1 : Number.isInteger(value) && (value > 0 || (spec.zero === true && value === 0));
    if (!valid) {
      const expected = spec.fraction ? 'a number in (0, 1]' : spec.zero ? 'a whole number' : 'a positive integer';
      console.error(`--${name}: expected ${expected}, got ${String(text)}\n${usage()}`);
      process.exit(2);
    }
    values[name as K] = value;
  }
  const on = new Set(Object.keys(flags).filter((name) => parsed.values[name] === true));
  return { values, flags: on, command: ['npx tsx', `bench/${script}`, ...process.argv.slice(2)].join(' ') };
}

// -------------------------------------------------------------------------------------------------------- machine

/** `temporal --version` of the dev server the benchmarks start. */
export function devServerVersion(): string {
  return execFileSync(temporalCliPath(), ['--version'], { encoding: 'utf8' }).trim();
}

const loadText = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

/** Prints the machine, the command and the load average at start: the conditions every figure depends on. */
export function printMachine(command: string, withDevServer = true): void {
  const cpu = cpus();
  console.log(`command:     ${command}`);
  console.log(`machine:     ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`);
  if (withDevServer) console.log(`dev server:  ${devServerVersion()}`);
  console.log(`started:     ${new Date().toISOString()}, load average ${loadText()} (1, 5, 15 min)`);
}

/** Runs a script's main: a failure is printed and sets the exit code. */
export function runScript(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}

export function printFinished(): void {
  console.log(`finished:    ${new Date().toISOString()}, load average ${loadText()} (1, 5, 15 min)`);
}

// -------------------------------------------------------------------------------------------------------- figures

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of sorted samples. */
export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

export function summarise(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: sorted[0] ?? NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1) ?? NaN,
    mean: sorted.reduce((sum, x) => sum + x, 0) / (sorted.length || 1),
  };
}

/** Prints rows as a Markdown table (so it can go into RESULTS.md as it is). */
export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w, column) => (column === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of cells.slice(1)) console.log(line(row));
}

export const ms = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '—');
export const ratio = (value: number, base: number): string => (base > 0 && Number.isFinite(value) ? `${(value / base).toFixed(2)}×` : '—');
export const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

// ------------------------------------------------------------------------------------------------------ processes

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of /proc/<pid>[/task/<tid>]/stat, in ms (the command name may hold spaces: parse after its `)`). */
function cpuMsOfStat(path: string): number {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** CPU time a process has used so far, every thread, in ms. */
export const processCpuMs = (pid: number): number => cpuMsOfStat(`/proc/${pid}/stat`);

/** CPU time so far of each thread (by thread id), with its name (`node` for Node's own threads, `tokio-runtime-w`, …). */
export function threadCpuMs(pid: number): Map<string, { name: string; cpuMs: number }> {
  const threads = new Map<string, { name: string; cpuMs: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      threads.set(tid, { name, cpuMs: cpuMsOfStat(`/proc/${pid}/task/${tid}/stat`) });
    } catch {
      // the thread ended between listing and reading
    }
  }
  return threads;
}

/** The difference of two thread-CPU snapshots, by name. */
export function threadCpuDelta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([name, value]) => [name, value - (before.get(name) ?? 0)]));
}

/** VmRSS and VmHWM (peak) of /proc/<pid>/status, in bytes. */
export function residentBytes(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

// ------------------------------------------------------------------------------------------------------ the stack

export interface BenchStack {
  dir: string;
  server: RunningDevServer;
  mail: MailCapture;
  /** The environment a `gongkai` process of this stack gets. */
  env: NodeJS.ProcessEnv;
  config: LoadedConfig;
  stop(): Promise<void>;
}

/**
 * A dev server as `npm start` runs it (a SQLite file with WAL, gongkai's search attributes), the local mail capture
 * (overdue cases email their supervisors), and the configuration of a fresh data directory (keys, register file).
 */
export async function startBenchStack(name: string, taskQueue = 'gongkai'): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), `gongkai-bench-${name}-`));
  const port = await freePort();
  const server = await startDevServer({
    ip: '127.0.0.1',
    port,
    uiPort: 0,
    namespace: 'default',
    dbFilename: join(dir, 'temporal', 'dev.sqlite'),
    logFile: join(dir, 'temporal', 'dev.log'),
  });
  const mail = await startMailCapture({ host: '127.0.0.1', port: 0, directory: join(dir, 'mail') });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    GONGKAI_DATA_DIR: dir,
    GONGKAI_TASK_QUEUE: taskQueue,
    GONGKAI_SMTP_PORT: String(mail.port),
  };
  const config = loadConfig({ env }); // generates the data directory's keys once, before any child reads them
  return {
    dir,
    server,
    mail,
    env,
    config,
    async stop() {
      await mail.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// -------------------------------------------------------------------------------------------------------- history

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface HistoryFigures {
  events: number;
  workflowTasks: number;
  /** Sum over workflow tasks of started → completed: the worker's share of each task, as the server saw it. */
  workflowTaskMs: number;
  updates: number;
  timers: number;
  /** Activity tasks by type: how many, and the sum of their started → completed times. */
  activities: Map<string, { count: number; ms: number }>;
  /** Activities scheduled before the first update was accepted, and after each update (until the next one). */
  activitiesPerUpdate: number[];
  /** Bytes of every payload's data in the history (inputs, results, update arguments and answers). */
  payloadBytes: number;
}

const eventMs = (event: HistoryEvent | undefined): number => {
  const time = event?.eventTime;
  return time ? Number(time.seconds ?? 0) * 1000 + Number(time.nanos ?? 0) / 1e6 : NaN;
};

function payloadBytesOf(value: unknown): number {
  if (value == null || typeof value !== 'object') return 0;
  if (value instanceof Uint8Array) return 0;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + payloadBytesOf(item), 0);
  let sum = 0;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'data' && inner instanceof Uint8Array && 'metadata' in value) sum += inner.length;
    else sum += payloadBytesOf(inner);
  }
  return sum;
}

/** Counts what a workflow's history holds: tasks, updates, activities and their durations, payload bytes. */
export function historyFigures(events: readonly HistoryEvent[]): HistoryFigures {
  const byId = new Map<number, HistoryEvent>();
  for (const event of events) byId.set(Number(event.eventId), event);
  const figures: HistoryFigures = { events: events.length, workflowTasks: 0, workflowTaskMs: 0, updates: 0, timers: 0, activities: new Map(), activitiesPerUpdate: [0], payloadBytes: 0 };
  for (const event of events) {
    figures.payloadBytes += payloadBytesOf(event);
    const completedTask = event.workflowTaskCompletedEventAttributes;
    if (completedTask) {
      figures.workflowTasks++;
      figures.workflowTaskMs += eventMs(event) - eventMs(byId.get(Number(completedTask.startedEventId)));
    }
    if (event.workflowExecutionUpdateAcceptedEventAttributes) {
      figures.updates++;
      figures.activitiesPerUpdate.push(0);
    }
    if (event.timerStartedEventAttributes) figures.timers++;
    if (event.activityTaskScheduledEventAttributes) figures.activitiesPerUpdate[figures.activitiesPerUpdate.length - 1]!++;
    const completedActivity = event.activityTaskCompletedEventAttributes;
    if (completedActivity) {
      const scheduled = byId.get(Number(completedActivity.scheduledEventId));
      const type = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
      const entry = figures.activities.get(type) ?? { count: 0, ms: 0 };
      entry.count++;
      entry.ms += eventMs(event) - eventMs(byId.get(Number(completedActivity.startedEventId)));
      figures.activities.set(type, entry);
    }
  }
  return figures;
}
