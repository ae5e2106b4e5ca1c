import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { RegisterDbSettings } from '../../register/database';
import { openRegister, type Register } from '../../register';
import { PROJECT_ROOT } from '../../workers/config';
import { TEST_CODEC_KEYS } from './test-keys';

export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: Backend[] = ['sqlite', 'postgres'];

/** The PostgreSQL server scripts/setup --tests started (or GONGKAI_TEST_DATABASE_URL). */
export function postgresTestUrl(): string {
  if (process.env.GONGKAI_TEST_DATABASE_URL) return process.env.GONGKAI_TEST_DATABASE_URL;
  const file = join(PROJECT_ROOT, '.tools', 'postgres-test-url');
  if (!existsSync(file)) {
    throw new Error('No PostgreSQL for the register tests: run scripts/setup --tests (as root it installs and starts one) or set GONGKAI_TEST_DATABASE_URL');
  }
  return readFileSync(file, 'utf8').trim();
}

export const TEST_APPLICANT_INDEX_KEY = Buffer.alloc(32, 7);

export interface TestStore {
  backend: Backend;
  settings: RegisterDbSettings;
  open(): Promise<Register>;
  /** Removes the SQLite file or drops the PostgreSQL schema. */
  destroy(): Promise<void>;
}

/**
 * A fresh, empty register store: an SQLite file in a temporary folder, or a schema of its own on the test
 * PostgreSQL (selected through the connection's search_path), so test files never see each other's rows.
 */
export async function createTestStore(backend: Backend): Promise<TestStore> {
  const open = (settings: RegisterDbSettings) => () =>
    openRegister({ database: settings, keys: TEST_CODEC_KEYS, applicantIndexKey: TEST_APPLICANT_INDEX_KEY });
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gongkai-register-'));
    const settings = { sqliteFile: join(dir, 'register.sqlite') };
    return { backend, settings, open: open(settings), destroy: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const baseUrl = postgresTestUrl();
  const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const settings = { url: url.toString(), sqliteFile: '/nonexistent' };
  return {
    backend,
    settings,
    open: open(settings),
    destroy: async () => {
      const client = new Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    },
  };
}

export const randomSubmissionId = (): string => randomBytes(8).toString('hex');
