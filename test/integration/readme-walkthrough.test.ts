import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../workers/config';
import { type StackEnv, type StartedStack, startStack, stopWithCtrlC } from '../helpers/local-stack';
import { freePort } from '../helpers/ports';

// The README's walkthrough, run as written against `gongkai start`: the README cannot drift from the system.
const execFileAsync = promisify(execFile);
let stack: StackEnv;
let started: StartedStack;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gongkai-readme-'));
  stack = { dataDir: join(dir, 'data'), address: `127.0.0.1:${await freePort()}` };
  started = await startStack(stack);
}, 120_000);

afterAll(async () => {
  if (started) await stopWithCtrlC(started);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

test('the walkthrough takes the example to an archived 部分公开 case with the CLI alone', async () => {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Walkthrough'));
  const script = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  expect(script).toContain('npx gongkai submit');
  const { stdout } = await execFileAsync('bash', ['-e', '-c', script!], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: stack.address, GONGKAI_DATA_DIR: stack.dataDir },
    maxBuffer: 10 * 1024 * 1024,
  });
  const shown = JSON.parse(stdout.slice(stdout.lastIndexOf('\n{') + 1));
  // Right after archiving, show may still read the workflow; either way the outcome is 部分公开.
  expect(shown.outcome).toBe('partially-disclosed');
  expect(JSON.stringify(shown)).toMatch(/连资规依复〔\d{4}〕\d+号/);
}, 180_000);
