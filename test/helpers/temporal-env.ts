import { randomUUID } from 'node:crypto';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { GONGKAI_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { createDataConverter, ensureSearchAttributes, FAILURE_CONVERTER_PATH, SHARED_WORKFLOW_MODULES } from '../../workers/connection';
import { temporalCliPath, temporalTestServerPath } from '../../workers/tool-paths';
import { TEST_CODEC_KEYS } from './test-keys';

export { TEST_CODEC_KEYS };

export const testDataConverter = (): DataConverter => createDataConverter(TEST_CODEC_KEYS);

/** Keeps the SDK's INFO output (a webpack report per bundle) out of test logs. */
export function quietTemporalRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed in this process
  }
}

/**
 * The real time-skipping test server (Java, fetched by scripts/setup), with gongkai's converter and
 * search attributes. Timers of weeks complete in seconds. One per test file; files run one at a time.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietTemporalRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    client: { dataConverter: testDataConverter() },
  });
  await ensureSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

export interface DevServerEnvOptions {
  /** Persist to this SQLite file instead of memory. */
  dbFilename?: string;
  /** `null` runs with the SDK's default, unencrypted converter (positive controls only). */
  dataConverter?: DataConverter | null;
}

/** The real dev server (`temporal server start-dev`, built by scripts/setup), with visibility and schedules. */
export async function createDevServerEnv(opts: DevServerEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  quietTemporalRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: [...GONGKAI_SEARCH_ATTRIBUTES],
      dbFilename: opts.dbFilename,
    },
    client: opts.dataConverter === null ? {} : { dataConverter: opts.dataConverter ?? testDataConverter() },
  });
}

/** A task queue of its own for each test, so workers of different tests never share work. */
export const uniqueTaskQueue = (name: string): string => `test-${name}-${randomUUID().slice(0, 8)}`;

const quietLogger = new DefaultLogger('WARN');

/** Bundles workflow code once per test file, with the converter the worker will use. */
export function bundleTestWorkflows(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, failureConverterPath: FAILURE_CONVERTER_PATH, preloadModules: [...SHARED_WORKFLOW_MODULES], logger: quietLogger });
}
