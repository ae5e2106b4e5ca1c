import { resolve } from 'node:path';
import type { CodecKeyRingSettings, TemporalSettings } from '../domain/config';

export const PROJECT_ROOT = resolve(__dirname, '..');

/** What every process needs to reach Temporal and its local state; `loadConfig` (load-config.ts) returns it. */
export interface RuntimeConfig {
  temporal: TemporalSettings;
  /** Local state: the dev server's SQLite file, local key files, the register's SQLite file. */
  dataDir: string;
  codecKeys: CodecKeyRingSettings;
}
