import { join } from 'node:path';
import { openRegister, type Register } from '../register';
import { APPLICANT_INDEX_KEY_FILE_NAME, loadApplicantIndexKey } from './codec-keys';
import type { LoadedConfig } from './load-config';

/** The register of a configured process: PostgreSQL if `database.url` (DATABASE_URL) is set, else the SQLite file; migrated. */
export function openConfiguredRegister(config: LoadedConfig, env: NodeJS.ProcessEnv = process.env): Promise<Register> {
  return openRegister({
    database: config.database,
    keys: config.codecKeys,
    applicantIndexKey: loadApplicantIndexKey(env, join(config.dataDir, APPLICANT_INDEX_KEY_FILE_NAME)),
  });
}
