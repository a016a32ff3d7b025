import mysql2 from 'mysql2';
import { DatabaseUnavailableError, remainingMs, UnavailableReason } from './deadline';

/** The isolation every transaction of the app runs in on MySQL/MariaDB (see db/transaction.ts). */
const MYSQL_ISOLATION = 'READ COMMITTED';

/**
 * How long the database may take, applied once `enabled` (after the
 * migrations, which may legitimately run long on a big table).
 */
export interface DatabaseDeadlines {
  enabled: boolean;
  /** One statement; never more than what is left of the request's deadline. */
  statementMs: number;
  /** Waiting for a free pool connection. */
  acquireMs: number;
}

/**
 * Past the server-side limit a statement is killed by the server itself (a
 * clean error, the connection stays usable); the client-side timer, this much
 * later, only fires when the server does not answer at all.
 */
const CLIENT_GRACE_MS = 250;

type QueryOptions = { sql: string; timeout?: number } & Record<string, unknown>;
type Callback = (err: unknown, ...rest: unknown[]) => void;
type PooledConnection = Omit<mysql2.PoolConnection, 'query'> & {
  _isMariaDB?: boolean;
  query: (...args: unknown[]) => unknown;
};

/**
 * mysql2 as the app needs it:
 * - pooled connections start in MYSQL_ISOLATION for the session (TypeORM
 *   otherwise sends `SET TRANSACTION ISOLATION LEVEL` before every
 *   transaction, a round trip of its own);
 * - every statement has a deadline: MariaDB's `max_statement_time` (MySQL's
 *   MAX_EXECUTION_TIME hint) on reads, and mysql2's client-side timeout on all;
 *   a connection whose statement timed out on the client is destroyed, never
 *   handed out again with the statement still running on it;
 * - waiting for a pool connection has a deadline too (mysql2 has none).
 */
export function mysql2WithDeadlines(deadlines: DatabaseDeadlines): typeof mysql2 {
  return {
    ...mysql2,
    createPool: ((options: Parameters<typeof mysql2.createPool>[0]) => {
      const pool = mysql2.createPool(options);
      pool.on('connection', (connection) => {
        // mysql2 runs a connection's commands in order, so this precedes anything the pool hands it out for.
        connection.query(`SET SESSION TRANSACTION ISOLATION LEVEL ${MYSQL_ISOLATION}`, (err) => {
          // A connection in another isolation must not serve a transaction.
          if (err) connection.destroy();
        });
        withStatementDeadlines(connection as unknown as PooledConnection, deadlines);
      });
      const getConnection = pool.getConnection.bind(pool);
      pool.getConnection = ((callback: Callback) => {
        if (!deadlines.enabled) return getConnection(callback);
        const limit = Math.min(deadlines.acquireMs, remainingMs() ?? Infinity);
        if (limit <= 0) {
          process.nextTick(callback, new DatabaseUnavailableError(UnavailableReason.DEADLINE_EXCEEDED));
          return;
        }
        let settled = false;
        const timer = setTimeout(() => {
          settled = true;
          callback(new DatabaseUnavailableError(UnavailableReason.ACQUIRE_TIMEOUT));
        }, limit);
        getConnection((err, connection) => {
          if (settled) {
            // Too late for the caller that asked: back to the pool for the next one.
            connection?.release();
            return;
          }
          settled = true;
          clearTimeout(timer);
          callback(err, connection);
        });
      }) as typeof pool.getConnection;
      return pool;
    }) as typeof mysql2.createPool,
  };
}

function withStatementDeadlines(connection: PooledConnection, deadlines: DatabaseDeadlines): void {
  const query = connection.query.bind(connection);
  connection.query = (...args: unknown[]) => {
    if (!deadlines.enabled) return query(...args);
    const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as Callback) : undefined;
    const limit = Math.min(deadlines.statementMs, remainingMs() ?? Infinity);
    if (limit <= 0) {
      const err = new DatabaseUnavailableError(UnavailableReason.DEADLINE_EXCEEDED);
      if (callback) process.nextTick(callback, err);
      return undefined;
    }
    const [first, ...rest] = args;
    const payload: QueryOptions = typeof first === 'string' ? { sql: first } : { ...(first as QueryOptions) };
    payload.sql = serverSideLimit(payload.sql, limit, connection._isMariaDB === true);
    payload.timeout = limit + CLIENT_GRACE_MS;
    return query(payload, ...rest, (err: unknown, ...results: unknown[]) => {
      if ((err as { code?: string } | null)?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
        // The statement may still be running, or its answer still on its way: the connection is not reusable.
        connection.destroy();
      }
      callback?.(err, ...results);
    });
  };
}

const SELECT = /^\s*SELECT\b/i;

/** Reads carry the limit to the server, which then stops the statement itself instead of running on unseen. */
function serverSideLimit(sql: string, limitMs: number, mariadb: boolean): string {
  if (!SELECT.test(sql)) return sql;
  if (mariadb) return `SET STATEMENT max_statement_time=${(limitMs / 1000).toFixed(3)} FOR ${sql}`;
  return sql.replace(SELECT, (select) => `${select} /*+ MAX_EXECUTION_TIME(${Math.ceil(limitMs)}) */`);
}

/** Pool counts (MySQL/MariaDB), for tests and metrics: connections open, free, and callers waiting for one. */
export function poolCounts(pool: unknown): { all: number; free: number; waiting: number } {
  const internals = pool as {
    _allConnections?: { length: number };
    _freeConnections?: { length: number };
    _connectionQueue?: { length: number };
  };
  return {
    all: internals._allConnections?.length ?? 0,
    free: internals._freeConnections?.length ?? 0,
    waiting: internals._connectionQueue?.length ?? 0,
  };
}
