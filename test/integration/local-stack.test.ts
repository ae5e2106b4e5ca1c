import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { PROJECT_ROOT } from '../../workers/config';
import { temporalCliPath } from '../../workers/tool-paths';
import { freePort } from '../helpers/ports';

// `gongkai start` (what `npm start` runs after setup) as a user runs it: a separate process, stopped with Ctrl-C.
const execFileAsync = promisify(execFile);
let dataDir: string;
let address: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gongkai-start-'));
  address = `127.0.0.1:${await freePort()}`;
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  output: () => string;
}

async function startStack(): Promise<Started> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'gongkai.js'), 'start', '--ui-port', '0'], {
    env: { ...process.env, TEMPORAL_ADDRESS: address, GONGKAI_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not running after 90 s:\n${output}`)), 90_000);
    const check = (): void => {
      if (output.includes('worker running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`exited early with ${code}:\n${output}`)));
  });
  return { child, output: () => output };
}

async function stopWithCtrlC({ child }: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

async function temporalCli(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(temporalCliPath(), [...args, '--address', address]);
  return stdout;
}

test('start runs a dev server and worker, stops cleanly on Ctrl-C, and a second start resumes the same data', async () => {
  const first = await startStack();
  try {
    await expect(temporalCli('workflow', 'list')).resolves.toBeDefined();
    expect(first.output()).toContain('register ready');
    expect(existsSync(join(dataDir, 'register.sqlite'))).toBe(true);
    const searchAttributes = await temporalCli('operator', 'search-attribute', 'list');
    expect(searchAttributes).toMatch(/GkStage\s+Keyword/);
    expect(searchAttributes).toMatch(/GkReplyDueAt\s+Datetime/);
    // A workflow on a queue no worker polls stays open: it must still be there after the restart.
    await temporalCli('workflow', 'start', '--type', 'parked', '--task-queue', 'parking', '--workflow-id', 'parked-1');
  } finally {
    expect(await stopWithCtrlC(first)).toBe(0);
  }
  expect(first.output()).toContain('stopped');
  await expect(temporalCli('operator', 'cluster', 'health')).rejects.toThrow(); // the server stopped too

  const second = await startStack();
  try {
    const connection = await Connection.connect({ address });
    try {
      const description = await new Client({ connection }).workflow.getHandle('parked-1').describe();
      expect(description.status.name).toBe('RUNNING');
    } finally {
      await connection.close();
    }
  } finally {
    expect(await stopWithCtrlC(second)).toBe(0);
  }
}, 240_000);
