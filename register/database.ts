import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import { Pool } from 'pg';
import type { RegisterDatabase } from './schema';

export type RegisterDialect = 'sqlite' | 'postgres';

export interface RegisterDb {
  db: Kysely<RegisterDatabase>;
  dialect: RegisterDialect;
}

export interface RegisterDbSettings {
  /** A PostgreSQL URL (`postgres://…`); without it, the embedded SQLite file. */
  url?: string;
  sqliteFile: string;
}

/** How long an SQLite writer waits for another process's write lock before giving up. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

export function openRegisterDb(settings: RegisterDbSettings): RegisterDb {
  if (settings.url) {
    const pool = new Pool({ connectionString: settings.url, max: 10 });
    return { db: new Kysely<RegisterDatabase>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
  }
  mkdirSync(dirname(settings.sqliteFile), { recursive: true });
  const database = new SQLite(settings.sqliteFile);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  database.pragma('foreign_keys = ON');
  return { db: new Kysely<RegisterDatabase>({ dialect: new SqliteDialect({ database }) }), dialect: 'sqlite' };
}

/**
 * Runs `work` in a transaction that writes. On SQLite it starts with BEGIN IMMEDIATE, taking the write lock
 * up front, so two processes never both read a counter and then both try to write it (a deferred BEGIN would
 * fail one of them with SQLITE_BUSY half-way). On PostgreSQL, an ordinary transaction; row locks do the rest.
 */
export async function inWriteTransaction<T>(register: RegisterDb, work: (trx: Kysely<RegisterDatabase>) => Promise<T>): Promise<T> {
  if (register.dialect === 'postgres') return register.db.transaction().execute(work);
  return register.db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (err) {
      await sql`rollback`.execute(connection);
      throw err;
    }
  });
}

/** A unique-constraint violation, on either database: a concurrent writer got there first. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
