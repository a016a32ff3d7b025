import { AsyncLocalStorage } from 'node:async_hooks';
import { AppError, ErrorCode } from '../shared/errors';

/**
 * Deadlines for database work. Every request runs with a deadline (epoch
 * ms, REQUEST_TIMEOUT_MS after it arrived) that every database call made on
 * its behalf can see, however deep: a statement's timeout, and the wait for
 * a pool connection, never outlast it.
 */
const deadlines = new AsyncLocalStorage<number>();

export function withDeadline<T>(deadline: number, work: () => T): T {
  return deadlines.run(deadline, work);
}

/** Runs `work` outside any request's deadline (work not done for one request, however it was scheduled). */
export function withoutDeadline<T>(work: () => T): T {
  return deadlines.exit(work);
}

/** The current request's deadline (epoch ms), or undefined outside a request. */
export const currentDeadline = (): number | undefined => deadlines.getStore();

/** Milliseconds left before the current request's deadline, or undefined outside a request. */
export function remainingMs(): number | undefined {
  const deadline = deadlines.getStore();
  return deadline === undefined ? undefined : deadline - Date.now();
}

export enum UnavailableReason {
  /** A statement ran past its timeout. */
  STATEMENT_TIMEOUT = 'STATEMENT_TIMEOUT',
  /** No pool connection came free in time. */
  ACQUIRE_TIMEOUT = 'ACQUIRE_TIMEOUT',
  /** The request's own deadline passed. */
  DEADLINE_EXCEEDED = 'DEADLINE_EXCEEDED',
  /** The database refused or dropped the connection. */
  DATABASE_UNREACHABLE = 'DATABASE_UNREACHABLE',
}

/** The database did not answer in time: retryable, with SERVICE_UNAVAILABLE and Retry-After. */
export class DatabaseUnavailableError extends AppError {
  constructor(
    reason: UnavailableReason,
    readonly retryAfterSeconds = 1,
  ) {
    super(
      ErrorCode.SERVICE_UNAVAILABLE,
      `The database did not answer in time (${reason.toLowerCase().replace(/_/g, ' ')}): retry in ${retryAfterSeconds} s`,
      undefined,
      reason,
      { retryAfterSeconds },
    );
  }
}

/** Driver error codes meaning the database is unreachable or too slow, not that the statement was wrong. */
const UNAVAILABLE_CODES: Readonly<Record<string, UnavailableReason>> = {
  PROTOCOL_SEQUENCE_TIMEOUT: UnavailableReason.STATEMENT_TIMEOUT,
  // MariaDB max_statement_time, MySQL max_execution_time.
  ER_STATEMENT_TIMEOUT: UnavailableReason.STATEMENT_TIMEOUT,
  ER_QUERY_TIMEOUT: UnavailableReason.STATEMENT_TIMEOUT,
  ER_LOCK_WAIT_TIMEOUT: UnavailableReason.STATEMENT_TIMEOUT,
  SQLITE_BUSY: UnavailableReason.STATEMENT_TIMEOUT,
  ETIMEDOUT: UnavailableReason.DATABASE_UNREACHABLE,
  ECONNREFUSED: UnavailableReason.DATABASE_UNREACHABLE,
  ECONNRESET: UnavailableReason.DATABASE_UNREACHABLE,
  EPIPE: UnavailableReason.DATABASE_UNREACHABLE,
  PROTOCOL_CONNECTION_LOST: UnavailableReason.DATABASE_UNREACHABLE,
};

/** The error as DatabaseUnavailableError when it means the database is away or slow (TypeORM wraps driver errors). */
export function asDatabaseUnavailable(err: unknown): DatabaseUnavailableError | null {
  if (err instanceof DatabaseUnavailableError) return err;
  // graphql-js wraps a thrown value it does not recognise as an Error (one from another realm) in NonErrorThrown.
  const thrown = (err as { thrownValue?: unknown } | null)?.thrownValue;
  if (thrown !== undefined && thrown !== err) return asDatabaseUnavailable(thrown);
  const e = err as { code?: string; driverError?: unknown } | null;
  const driverError = e?.driverError;
  if (driverError instanceof DatabaseUnavailableError) return driverError;
  const cause = (driverError ?? err) as { code?: string; fatal?: boolean } | null;
  const code = cause?.code;
  const reason = code === undefined ? undefined : UNAVAILABLE_CODES[code];
  if (reason) return new DatabaseUnavailableError(reason);
  // mysql2 marks errors of the connection itself (closed, lost, refused) fatal: the statement was never wrong.
  return cause?.fatal === true ? new DatabaseUnavailableError(UnavailableReason.DATABASE_UNREACHABLE) : null;
}

export const isDatabaseUnavailable = (err: unknown): boolean => asDatabaseUnavailable(err) !== null;
