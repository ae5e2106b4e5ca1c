import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { nthWorkingDayAfter } from '../../domain/calendar';
import { beijingDateOf } from '../../domain/dates';
import { connectClient } from '../../workers/connection';
import { PROJECT_ROOT } from '../../workers/config';
import { submitApplication } from '../../workers/intake';
import { loadConfig } from '../../workers/load-config';
import { openConfiguredRegister } from '../../workers/open-register';
import { shippedCalendar } from '../helpers/calendar';
import { gongkai, type StackEnv, type StartedStack, startStack, stopWithCtrlC } from '../helpers/local-stack';
import { freePort } from '../helpers/ports';
import { createDevServerEnv } from '../helpers/temporal-env';

// The CLI end to end against `gongkai start` (dev server, register, worker), as an operator uses it.
const example = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'application-in-person.json'), 'utf8'));
let stack: StackEnv;
let started: StartedStack;
let files: string;

function submissionFile(name: string, submissionId: string, submittedAt?: string): string {
  const path = join(files, `${name}.json`);
  const application = submittedAt ? { ...example.application, channel: { kind: 'in-person', submittedAt } } : example.application;
  writeFileSync(path, JSON.stringify({ submissionId, application }));
  return path;
}

function dataFile(name: string, data: unknown): string {
  const path = join(files, `${name}.json`);
  writeFileSync(path, JSON.stringify(data));
  return path;
}

/** Visibility is eventually consistent: run `list` until `expected` holds. */
async function listUntil(args: string[], expected: (stdout: string) => boolean): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { stdout } = await gongkai(stack, 'list', ...args);
    if (expected(stdout) || Date.now() > deadline) return stdout;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

beforeAll(async () => {
  files = mkdtempSync(join(tmpdir(), 'gongkai-cli-'));
  stack = { dataDir: join(files, 'data'), address: `127.0.0.1:${await freePort()}` };
  started = await startStack(stack);
}, 120_000);

afterAll(async () => {
  if (started) await stopWithCtrlC(started);
  rmSync(files, { recursive: true, force: true });
}, 60_000);

test('submit prints the case number; the same submission again yields the same case', async () => {
  const file = submissionFile('first', 'cli-test-first-0001');
  const first = await gongkai(stack, 'submit', file, '--as', 'zrzy.registrar');
  const again = await gongkai(stack, 'submit', file, '--as', 'zrzy.registrar');
  expect(first).toMatchObject({ code: 0, stdout: 'LYG-ZRZY-2026-000001\n' });
  expect(again).toMatchObject({ code: 0, stdout: 'LYG-ZRZY-2026-000001\n' });
  expect(again.stderr).toContain('already registered');
}, 60_000);

test('submit is for a registrar of the application\'s agency: anyone else is refused naming the field, and no case is registered', async () => {
  const file = submissionFile('refused', 'cli-test-refused-0001');
  const refusals = [
    { as: ['--as', 'zrzy.handler1'], field: /--as: 登记申请仅限登记员/ },
    { as: ['--as', 'nobody'], field: /--as: 未配置的用户/ },
    { as: ['--as', 'zfb.registrar'], field: /application\.agencyCode: 只能登记本机关收到的申请/ },
    { as: [], field: /required option '--as <user>'/ },
  ];
  for (const { as, field } of refusals) {
    const run = await gongkai(stack, 'submit', file, ...as);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(field);
  }
  // The next case number is still the next one: nothing was allocated for the refused submissions.
  expect(await gongkai(stack, 'submit', file, '--as', 'zrzy.registrar')).toMatchObject({ code: 0, stdout: 'LYG-ZRZY-2026-000002\n' });
}, 60_000);

test('intake: concurrent submits of one submission id start exactly one workflow', async () => {
  const env = { TEMPORAL_ADDRESS: stack.address, GONGKAI_DATA_DIR: stack.dataDir };
  const config = loadConfig({ env });
  const client = await connectClient(config);
  const register = await openConfiguredRegister(config, env);
  try {
    const submission = { submissionId: 'cli-test-concurrent-0001', application: example.application, registeredBy: 'zrzy.registrar' };
    const results = await Promise.all([1, 2, 3].map(() => submitApplication({ client, register, config }, submission)));
    expect(new Set(results.map((r) => r.caseNumber)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const runs: string[] = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${results[0]!.caseNumber}'` })) runs.push(wf.runId);
    expect(runs).toHaveLength(1);
  } finally {
    await register.close();
    await client.connection.close();
  }
}, 60_000);

test('a request received 25 working days ago is listed as overdue; one received today is not', async () => {
  const today = beijingDateOf(new Date().toISOString());
  // 25 working days back: find the day whose 25th working day after it is today or later.
  let received = today;
  for (let back = 1; back < 60; back++) {
    const candidate = beijingDateOf(new Date(Date.now() - back * 86_400_000).toISOString());
    if (nthWorkingDayAfter(shippedCalendar(), candidate, 25).date <= today) {
      received = candidate;
      break;
    }
  }
  const overdue = (await gongkai(stack, 'submit', submissionFile('old', 'cli-test-overdue-0001', `${received}T10:00:00+08:00`), '--as', 'zrzy.registrar')).stdout.trim();
  const fresh = (await gongkai(stack, 'submit', submissionFile('fresh', 'cli-test-fresh-0001', new Date().toISOString().replace('Z', '+00:00')), '--as', 'zrzy.registrar')).stdout.trim();

  const listed = await listUntil(['--overdue'], (out) => out.includes(overdue));
  expect(listed).toContain(overdue);
  expect(listed).not.toContain(fresh);
  const json = JSON.parse((await gongkai(stack, 'list', '--overdue', '--json')).stdout);
  expect(json.find((row: { caseNumber: string }) => row.caseNumber === overdue)).toMatchObject({ receivedOn: received, stage: 'registered' });
}, 60_000);

test('act assigns and advances a case; list --handler and show follow; a refused act exits non-zero with the reason', async () => {
  const caseNumber = (await gongkai(stack, 'submit', submissionFile('act', 'cli-test-act-0001'), '--as', 'zrzy.registrar')).stdout.trim();
  const assigned = await gongkai(stack, 'act', caseNumber, 'assign-handler', '--as', 'zrzy.head', '--data', dataFile('assign', { handlerId: 'zrzy.handler2' }));
  expect(assigned).toMatchObject({ code: 0, stdout: expect.stringContaining('承办人 zrzy.handler2') });
  const complete = await gongkai(stack, 'act', caseNumber, 'record-completeness-finding', '--as', 'zrzy.handler2', '--data', dataFile('complete', { finding: 'complete' }));
  expect(complete.stdout).toContain('scope-check');

  const refused = await gongkai(stack, 'act', caseNumber, 'sign-off-reply', '--as', 'zrzy.head');
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('refused (wrong-stage)');
  const unknownUser = await gongkai(stack, 'act', caseNumber, 'urge', '--as', 'nobody');
  expect(unknownUser.code).not.toBe(0);
  expect(unknownUser.stderr).toContain('--as');

  expect(await listUntil(['--handler', 'zrzy.handler2'], (out) => out.includes(caseNumber))).toContain(caseNumber);
  const shown = JSON.parse((await gongkai(stack, 'show', caseNumber, '--json')).stdout);
  expect(shown).toMatchObject({ caseNumber, stage: 'scope-check', handlerId: 'zrzy.handler2' });
  expect(shown.timeline.map((t: { action: string }) => t.action)).toEqual(['register', 'assign-handler', 'record-completeness-finding']);
}, 60_000);

test('show falls back to the register once Temporal no longer has the case', async () => {
  const caseNumber = (await gongkai(stack, 'submit', submissionFile('gone', 'cli-test-gone-0001'), '--as', 'zrzy.registrar')).stdout.trim();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const { stdout: describe } = await gongkai(stack, 'show', caseNumber, '--json');
  expect(JSON.parse(describe).stage).toBe('registered');
  // Deleting the execution stands in for the namespace's retention having removed it.
  const env = { TEMPORAL_ADDRESS: stack.address, GONGKAI_DATA_DIR: stack.dataDir };
  const client = await connectClient(loadConfig({ env }));
  try {
    await client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: caseNumber } });
  } finally {
    await client.connection.close();
  }
  let shown: Record<string, unknown> = {};
  for (let i = 0; i < 30 && shown.source !== 'register'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    shown = JSON.parse((await gongkai(stack, 'show', caseNumber, '--json')).stdout || '{}');
  }
  expect(shown).toMatchObject({ source: 'register', case_number: caseNumber, stage: 'registered', received_on: '2026-11-27' });
  expect(JSON.stringify(shown)).not.toContain(example.application.applicant.name);
}, 60_000);

test('with no worker running, act says so instead of hanging', async () => {
  let bare: TestWorkflowEnvironment | undefined;
  try {
    bare = await createDevServerEnv();
    const bareStack = { address: bare.address, dataDir: join(files, 'bare') };
    const result = await gongkai(bareStack, 'act', 'LYG-ZRZY-2026-000001', 'urge', '--as', 'zrzy.head', '--data', dataFile('urge', { message: '请尽快办理' }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('no worker is polling');
  } finally {
    await bare?.teardown();
  }
}, 60_000);
