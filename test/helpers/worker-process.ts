import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../workers/config';

// `gongkai worker` (as deployed) in a process of its own, for tests that kill it or run several.

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code or signal once the process has exited. */
  exited: Promise<number | string | null>;
  /** kill -9: no shutdown, no drain; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** Ctrl-C (graceful shutdown); resolves with the exit code or signal. */
  stop(): Promise<number | string | null>;
}

/** Starts `gongkai worker` with `env` and resolves once it logs 'worker running' (it bundles the workflows first). */
export function startWorkerProcess(env: NodeJS.ProcessEnv, readyTimeoutMs = 90_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'gongkai.js'), 'worker'], { env, cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const worker: WorkerProcess = {
    child,
    pid: child.pid!,
    output: () => output,
    exited,
    async kill9() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (running()) child.kill('SIGINT');
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker not running after ${readyTimeoutMs / 1000} s:\n${output}`));
    }, readyTimeoutMs);
    child.stdout!.on('data', () => {
      if (output.includes('worker running')) {
        clearTimeout(timer);
        resolve(worker);
      }
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${how}) before it was running:\n${output}`));
    });
  });
}
