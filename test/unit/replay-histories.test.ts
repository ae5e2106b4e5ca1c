import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { type ReplayWorkerOptions, Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/worker';
import { bundleTestWorkflows, quietTemporalRuntime, testDataConverter } from '../helpers/temporal-env';

// Committed histories replayed against today's workflow code: a change that running cases would replay
// differently fails here, before it reaches a worker. Each folder of test/histories pairs with its workflows.
const HISTORY_SETS = [
  { folder: 'proofs', workflowsPath: require.resolve('../workflows/proofs') },
  { folder: 'request', workflowsPath: WORKFLOWS_PATH },
];

function loadHistories(folder: string): { workflowId: string; history: unknown }[] {
  const dir = join(__dirname, '..', 'histories', folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ workflowId: name.replace(/\.json$/, ''), history: JSON.parse(readFileSync(join(dir, name), 'utf8')) }));
}

async function replayOptions(workflowsPath: string): Promise<ReplayWorkerOptions> {
  return { workflowBundle: await bundleTestWorkflows(workflowsPath), dataConverter: testDataConverter() };
}

beforeAll(() => quietTemporalRuntime());

test.each(HISTORY_SETS)('committed $folder histories replay without nondeterminism', async ({ folder, workflowsPath }) => {
  const histories = loadHistories(folder);
  expect(histories.length).toBeGreaterThan(0);
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories(await replayOptions(workflowsPath), histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  expect(failures).toEqual([]);
}, 60_000);

test('an incompatible change to workflow code fails the replay', async () => {
  const [sleeper] = loadHistories('proofs').filter((h) => h.workflowId === 'proof-sleep-30-days');
  const options = await replayOptions(require.resolve('../workflows/proofs-changed'));

  await expect(Worker.runReplayHistory(options, sleeper!.history, sleeper!.workflowId)).rejects.toThrow(DeterminismViolationError);
}, 60_000);
