import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './config';

function toolPath(envVar: string, installed: string): string {
  const path = process.env[envVar] || join(PROJECT_ROOT, '.tools', 'bin', installed);
  if (!existsSync(path)) {
    throw new Error(`${path} not found: run scripts/setup (or npm test / npm start, which run it), or set ${envVar}`);
  }
  return path;
}

/** The Temporal CLI built by scripts/setup; it runs the dev server. */
export const temporalCliPath = (): string => toolPath('TEMPORAL_CLI_PATH', 'temporal');

/** The Java time-skipping test server wrapper written by scripts/setup. */
export const temporalTestServerPath = (): string => toolPath('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');
