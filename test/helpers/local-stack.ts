import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../workers/config';
import { temporalCliPath } from '../../workers/tool-paths';
import { freePort } from './ports';

const execFileAsync = promisify(execFile);

export interface StackEnv {
  address: string;
  dataDir: string;
  /** The local mail capture's port; `startStack` picks a free one when absent, so that stacks never share 2525. */
  smtpPort?: number;
  /** A configuration file other than config/demo.json. */
  configPath?: string;
  /** The web app's port; `startStack` picks a free one when absent. */
  webPort?: number;
  /** The worker's Prometheus endpoint (GONGKAI_METRICS_ADDRESS), when given. */
  metricsPort?: number;
}

const processEnv = ({ address, dataDir, smtpPort, configPath, webPort, metricsPort }: StackEnv): NodeJS.ProcessEnv => ({
  ...process.env,
  TEMPORAL_ADDRESS: address,
  GONGKAI_DATA_DIR: dataDir,
  ...(smtpPort === undefined ? {} : { GONGKAI_SMTP_PORT: String(smtpPort) }),
  ...(webPort === undefined ? {} : { GONGKAI_WEB_PORT: String(webPort) }),
  ...(metricsPort === undefined ? {} : { GONGKAI_METRICS_ADDRESS: `127.0.0.1:${metricsPort}` }),
  ...(configPath === undefined ? {} : { GONGKAI_CONFIG: configPath }),
});

export interface StartedStack {
  child: ChildProcess;
  output: () => string;
}

/** `gongkai start` as a user runs it (what `npm start` runs after setup), in its own process. */
export async function startStack(stack: StackEnv): Promise<StartedStack> {
  stack.smtpPort ??= await freePort();
  stack.webPort ??= await freePort();
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'gongkai.js'), 'start', '--ui-port', '0'], {
    env: processEnv(stack),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not running after 90 s:\n${output}`)), 90_000);
    child.stdout!.on('data', () => {
      if (output.includes('worker running')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}:\n${output}`)));
  });
  return { child, output: () => output };
}

/** Ctrl-C; resolves with the exit code. */
export async function stopWithCtrlC({ child }: StartedStack): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `gongkai <args>` against the stack; never throws on a non-zero exit. */
export async function gongkai(stack: StackEnv, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [join(PROJECT_ROOT, 'bin', 'gongkai.js'), ...args], { env: processEnv(stack), cwd: PROJECT_ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

export async function temporalCli(stack: StackEnv, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(temporalCliPath(), [...args, '--address', stack.address]);
  return stdout;
}
