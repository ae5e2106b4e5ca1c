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
  const database = new SQLite(settings.sqliteFile, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  switchToWal(database);
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  return { db: new Kysely<RegisterDatabase>({ dialect: new SqliteDialect({ database }) }), dialect: 'sqlite' };
}

/**
 * Puts the file in WAL mode. The switch needs an exclusive lock, and SQLite answers SQLITE_BUSY at once —
 * without waiting on the busy handler — when another process holds the file, e.g. two processes opening a
 * fresh register together. WAL mode is persistent, so whoever wins, the file ends in WAL: on BUSY, read the
 * mode back, and only if it is still not WAL wait a moment and try again, for as long as the busy timeout.
 */
function switchToWal(database: SQLite.Database): void {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      if (database.pragma('journal_mode', { simple: true }) === 'wal') return;
      database.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
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
