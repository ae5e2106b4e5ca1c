import { type Kysely, sql } from 'kysely';
import { inWriteTransaction, isUniqueViolation, type RegisterDb } from './database';
import type { RegisterDatabase } from './schema';

export interface Allocation {
  series: string;
  value: number;
  /** False when the key had been allocated before (a retry or a double submit). */
  created: boolean;
}

/**
 * Inside a write transaction: the number for `key`, allocating the next one of `series` if the key is new.
 * The counter and the allocation commit together, so a transaction that fails allocates nothing: no gap.
 */
export async function allocateWithin(trx: Kysely<RegisterDatabase>, series: string, key: string, now: string): Promise<Allocation> {
  const existing = await trx
    .selectFrom('gk_number_allocation')
    .select(['series', 'value'])
    .where('allocation_key', '=', key)
    .executeTakeFirst();
  if (existing) return { ...existing, created: false };
  const counter = await trx
    .insertInto('gk_number_counter')
    .values({ series, last_value: 1 })
    .onConflict((oc) => oc.column('series').doUpdateSet({ last_value: sql<number>`gk_number_counter.last_value + 1` }))
    .returning('last_value')
    .executeTakeFirstOrThrow();
  await trx.insertInto('gk_number_allocation').values({ allocation_key: key, series, value: counter.last_value, allocated_at: now }).execute();
  return { series, value: counter.last_value, created: true };
}

/**
 * Runs a write transaction, once more if a concurrent writer committed the same idempotency key first
 * (the loser's transaction rolls back whole, its counter increment with it, and the retry finds the winner's row).
 */
export async function withKeyRetry<T>(register: RegisterDb, work: (trx: Kysely<RegisterDatabase>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inWriteTransaction(register, work);
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 3) throw err;
    }
  }
}

export function allocateNumber(register: RegisterDb, series: string, key: string, now: string): Promise<Allocation> {
  return withKeyRetry(register, (trx) => allocateWithin(trx, series, key, now));
}
