import type { DataSource, EntityManager } from 'typeorm';
import { isMysql } from './sql';

/** InnoDB deadlock and lock-wait timeout; SQLite busy: the transaction did nothing and may simply run again. */
const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY']);
const MAX_ATTEMPTS = 5;

function isRetryable(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } } | null;
  return RETRYABLE.has(e?.code ?? '') || RETRYABLE.has(e?.driverError?.code ?? '');
}

/**
 * SQLite transactions of one DataSource, one at a time. TypeORM's SQLite
 * drivers run every query on one shared connection: a second transaction
 * started while one is open would become a savepoint inside it (its
 * statements interleaved with the first's, its commit or rollback mixed up
 * with the other's). SQLite admits a single writer anyway, so queueing them
 * costs no throughput.
 */
const sqliteTurns = new WeakMap<DataSource, Promise<unknown>>();

function oneAtATime<T>(dataSource: DataSource, run: () => Promise<T>): Promise<T> {
  if (isMysql(dataSource)) return run();
  const previous = sqliteTurns.get(dataSource) ?? Promise.resolve();
  const turn = previous.then(run, run);
  sqliteTurns.set(
    dataSource,
    turn.catch(() => undefined),
  );
  return turn;
}

/**
 * Runs `work` in a transaction: READ COMMITTED on MySQL (each statement sees
 * what other transactions committed, e.g. the winner of a unique-index race),
 * SQLite's serialized default otherwise (and one at a time, see oneAtATime). A
 * deadlock victim is run again from the start, a few times, with a short
 * jittered pause: `work` must therefore not leave effects outside the
 * database before it returns. Every transaction of the app goes through here.
 */
export async function inTransaction<T>(dataSource: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      // On MySQL the pooled connections are already in READ COMMITTED for the session (data-source.ts).
      return await oneAtATime(dataSource, () => dataSource.transaction(work));
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
