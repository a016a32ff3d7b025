import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { mysql2WithDeadlines, type DatabaseDeadlines } from './mysql-driver';

export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 5_000;

/** Deadlines of each DataSource, switched on once its migrations ran. */
const deadlinesOf = new WeakMap<DataSource, DatabaseDeadlines>();

/**
 * The one DataSource factory, used by the app, the tests and the TypeORM CLI
 * (through ormconfig.ts). Schema changes only through migrations.
 */
export function dataSourceOptions(
  db: DatabaseConfig,
  deadlines: DatabaseDeadlines = deadlinesFor(db),
): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
  };
  if (db.kind === 'mysql') {
    return {
      ...common,
      type: 'mysql',
      driver: mysql2WithDeadlines(deadlines),
      url: db.url,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      poolSize: db.poolSize,
      supportBigNumbers: true,
      bigNumberStrings: false,
      // Connecting is part of acquiring a connection: it gets the same deadline.
      connectTimeout: deadlines.acquireMs,
      // mysql2's default captures a stack trace (new Error) on every query for long stack traces, most of the
      // client's CPU per round trip (BENCHMARKS.md). Query errors still carry their SQL and code.
      trace: false,
      extra: { enableKeepAlive: true },
    };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: db.url,
    // WAL lets readers proceed while a write commits; the busy timeout (SQLite's busy_timeout) rides over
    // short lock waits of another process on the same file, and bounds them.
    enableWAL: db.url !== ':memory:',
    timeout: deadlines.statementMs,
    // SQLite's built-in LOWER folds ASCII only; smart-list text matches and people search lower-case
    // both sides, so it must fold like JavaScript (and MySQL) do for non-ASCII letters too.
    prepareDatabase: (db: { function: (name: string, options: object, fn: (value: unknown) => unknown) => void }) => {
      db.function('lower', { deterministic: true }, (value) =>
        typeof value === 'string' ? value.toLowerCase() : value,
      );
    },
  };
}

function deadlinesFor(db: DatabaseConfig): DatabaseDeadlines {
  return {
    enabled: false,
    statementMs: db.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    acquireMs: db.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
  };
}

export function createDataSource(db: DatabaseConfig): DataSource {
  if (db.kind === 'sqlite' && db.url !== ':memory:') mkdirSync(dirname(db.url), { recursive: true });
  const deadlines = deadlinesFor(db);
  const dataSource = new DataSource(dataSourceOptions(db, deadlines));
  deadlinesOf.set(dataSource, deadlines);
  return dataSource;
}

/**
 * Connects and brings the schema up to date (a no-op on a migrated
 * database); statement and pool deadlines apply from then on.
 */
export async function openDatabase(db: DatabaseConfig): Promise<DataSource> {
  const dataSource = createDataSource(db);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  deadlinesOf.get(dataSource)!.enabled = true;
  return dataSource;
}
