// Prints how long the real Temporal servers take to become usable on this machine.
// The SDK gives a server it spawns 5 s to accept connections; this shows the margin.
//   npx tsx bench/server-start.ts [runs]
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { PROJECT_ROOT } from '../workers/config';
import { temporalCliPath, temporalTestServerPath } from '../workers/tool-paths';
import { freePort } from '../test/helpers/ports';

const runs = Number(process.argv[2] ?? 5);

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Milliseconds from spawning the JVM until its gRPC port accepts connections. */
async function jvmPortOpenMs(useCds: boolean): Promise<number> {
  const port = await freePort();
  const dir = join(PROJECT_ROOT, '.tools', 'temporal-test-server');
  const args = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xmx512m', '-Xlog:cds=off', '-Xlog:cds+dynamic=off'];
  if (useCds) args.push(`-XX:SharedArchiveFile=${join(dir, 'app-cds.jsa')}`);
  else args.push('-Xshare:off');
  const started = performance.now();
  const child = spawn('java', [...args, '-cp', join(dir, 'lib', '*'), 'io.temporal.testserver.TestServer', String(port)], { stdio: 'ignore' });
  while (!(await portOpen(port))) await delay(10);
  const ms = performance.now() - started;
  child.kill('SIGKILL');
  return ms;
}

async function sdkEnvMs(create: () => Promise<TestWorkflowEnvironment>): Promise<number> {
  const started = performance.now();
  const env = await create();
  const ms = performance.now() - started;
  await env.teardown();
  return ms;
}

function summary(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(`${label.padEnd(58)} min ${sorted[0]!.toFixed(0).padStart(5)} ms  median ${median.toFixed(0).padStart(5)} ms  max ${sorted.at(-1)!.toFixed(0).padStart(5)} ms  (n=${samples.length})`);
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const measure = async (fn: () => Promise<number>): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < runs; i++) out.push(await fn());
    return out;
  };
  summary('test server JVM, port open, no class-data sharing', await measure(() => jvmPortOpenMs(false)));
  summary('test server JVM, port open, with app-cds.jsa', await measure(() => jvmPortOpenMs(true)));
  summary('createTimeSkipping() via the wrapper (SDK budget 5000 ms)', await measure(() =>
    sdkEnvMs(() => TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } })),
  ));
  summary('createLocal() dev server, in memory (SDK budget 5000 ms)', await measure(() =>
    sdkEnvMs(() => TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: temporalCliPath() } } })),
  ));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
