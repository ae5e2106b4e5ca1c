import type { CodecKeyRingSettings } from '../domain/config';
import { Sealer } from '../workers/sealer';
import { openRegisterDb, type RegisterDbSettings } from './database';
import { createRegister, type Register } from './register';

export type { Register } from './register';

export interface OpenRegisterOptions {
  database: RegisterDbSettings;
  /** The data keys (the same key ring as the payload codec) that seal personal data at rest. */
  keys: CodecKeyRingSettings;
  applicantIndexKey: Buffer;
}

/** Opens the register on SQLite or PostgreSQL and brings its schema up to date. */
export async function openRegister(opts: OpenRegisterOptions): Promise<Register> {
  const register = createRegister({
    store: openRegisterDb(opts.database),
    sealer: Sealer.fromSettings(opts.keys),
    applicantIndexKey: opts.applicantIndexKey,
  });
  try {
    await register.migrate();
  } catch (err) {
    await register.close();
    throw err;
  }
  return register;
}
