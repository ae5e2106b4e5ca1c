import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { filesContaining } from '../helpers/scan-files';
import { bundleTestWorkflows, createDevServerEnv, testDataConverter, uniqueTaskQueue } from '../helpers/temporal-env';
import { finishSignal, heldValueQuery, holdValue } from '../workflows/proofs';

let workflowBundle: WorkflowBundleWithSourceMap;
const dirs: string[] = [];

beforeAll(async () => {
  workflowBundle = await bundleTestWorkflows(require.resolve('../workflows/proofs'));
}, 120_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs one workflow holding `secret` on a dev server persisted to a fresh SQLite file, reads the secret
 * back through the client (query and result), stops the server, and returns the database directory.
 */
async function runHoldingSecret(secret: string, dataConverter: DataConverter | null): Promise<{ dbDir: string; workflowId: string }> {
  const dbDir = mkdtempSync(join(tmpdir(), 'gongkai-codec-'));
  dirs.push(dbDir);
  const env = await createDevServerEnv({ dbFilename: join(dbDir, 'temporal.sqlite'), dataConverter });
  const taskQueue = uniqueTaskQueue('codec');
  const workflowId = `hold-${taskQueue}`;
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      ...(dataConverter ? { dataConverter } : {}),
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(holdValue, { args: [secret], taskQueue, workflowId });
      expect(await handle.query(heldValueQuery)).toBe(secret);
      await handle.signal(finishSignal);
      expect(await handle.result()).toBe(secret);
    });
  } finally {
    await env.teardown();
  }
  return { dbDir, workflowId };
}

test('with the codec, personal data in payloads is unreadable in the dev server database and readable through the client', async () => {
  const marker = randomUUID();
  const secret = `张三丰-${marker}`;
  const { dbDir, workflowId } = await runHoldingSecret(secret, testDataConverter());

  expect(filesContaining(dbDir, workflowId).length).toBeGreaterThan(0); // the scan reads the right files
  expect(filesContaining(dbDir, secret)).toEqual([]);
  expect(filesContaining(dbDir, marker)).toEqual([]);
}, 120_000);

test('positive control: without the codec the same scan finds the data in plain text', async () => {
  const secret = `李四-${randomUUID()}`;
  const { dbDir } = await runHoldingSecret(secret, null);

  expect(filesContaining(dbDir, secret).length).toBeGreaterThan(0);
}, 120_000);
