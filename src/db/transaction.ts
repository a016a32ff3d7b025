import type { DataSource, EntityManager } from 'typeorm';

/** InnoDB deadlock and lock-wait timeout; SQLite busy: the transaction did nothing and may simply run again. */
const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY']);
const MAX_ATTEMPTS = 5;

function isRetryable(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } } | null;
  return RETRYABLE.has(e?.code ?? '') || RETRYABLE.has(e?.driverError?.code ?? '');
}

/**
 * Runs `work` in a transaction: READ COMMITTED on MySQL (each statement sees
 * what other transactions committed, e.g. the winner of a unique-index race),
 * SQLite's serialized default otherwise. A deadlock victim is run again from
 * the start, a few times, with a short jittered pause: `work` must therefore
 * not leave effects outside the database before it returns.
 */
export async function inTransaction<T>(dataSource: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      // On MySQL the pooled connections are already in READ COMMITTED for the session (data-source.ts).
      return await dataSource.transaction(work);
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
