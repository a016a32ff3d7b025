import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import mysql2 from 'mysql2';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** The isolation every transaction of the app runs in on MySQL/MariaDB (see db/transaction.ts). */
const MYSQL_ISOLATION = 'READ COMMITTED';

/**
 * mysql2 whose pooled connections start in MYSQL_ISOLATION for the session.
 * TypeORM otherwise sends `SET TRANSACTION ISOLATION LEVEL` as a statement of
 * its own before every `START TRANSACTION`: one round trip of the seven a
 * recording transaction makes. mysql2 runs a connection's commands in order,
 * so this one precedes anything the pool hands the connection out for.
 */
function mysql2InIsolation(): typeof mysql2 {
  return {
    ...mysql2,
    createPool: ((options: Parameters<typeof mysql2.createPool>[0]) => {
      const pool = mysql2.createPool(options);
      pool.on('connection', (connection) => {
        connection.query(`SET SESSION TRANSACTION ISOLATION LEVEL ${MYSQL_ISOLATION}`, (err) => {
          // A connection in another isolation must not serve a transaction.
          if (err) connection.destroy();
        });
      });
      return pool;
    }) as typeof mysql2.createPool,
  };
}

/**
 * The one DataSource factory, used by the app, the tests and the TypeORM CLI
 * (through ormconfig.ts). Schema changes only through migrations.
 */
export function dataSourceOptions(db: DatabaseConfig): DataSourceOptions {
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
      driver: mysql2InIsolation(),
      url: db.url,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      poolSize: db.poolSize,
      supportBigNumbers: true,
      bigNumberStrings: false,
      connectTimeout: 5_000,
      // mysql2's default captures a stack trace (new Error) on every query for long stack traces: measured at 23 of
      // 37 µs of client CPU per round trip. Query errors still carry their SQL and code, and reach our error mapping.
      trace: false,
      extra: { enableKeepAlive: true },
    };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: db.url,
    // WAL lets readers proceed while a write commits; busy timeout rides over short lock waits.
    enableWAL: db.url !== ':memory:',
    timeout: 5_000,
    // SQLite's built-in LOWER folds ASCII only; smart-list text matches and people search lower-case
    // both sides, so it must fold like JavaScript (and MySQL) do for non-ASCII letters too.
    prepareDatabase: (db: { function: (name: string, options: object, fn: (value: unknown) => unknown) => void }) => {
      db.function('lower', { deterministic: true }, (value) =>
        typeof value === 'string' ? value.toLowerCase() : value,
      );
    },
  };
}

export function createDataSource(db: DatabaseConfig): DataSource {
  if (db.kind === 'sqlite' && db.url !== ':memory:') mkdirSync(dirname(db.url), { recursive: true });
  return new DataSource(dataSourceOptions(db));
}

/** Connects and brings the schema up to date; a no-op on a migrated database. */
export async function openDatabase(db: DatabaseConfig): Promise<DataSource> {
  const dataSource = createDataSource(db);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
