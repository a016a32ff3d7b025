import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import type { DatabaseConfig } from '../../src/config';

/** MariaDB/MySQL server URL without a database (e.g. mysql://root@127.0.0.1:3306); unset runs on SQLite. */
export const TEST_MYSQL_URL = process.env.TEST_MYSQL_URL || undefined;
/** Redis for the multi-instance tests; unset skips them. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

export const databaseKind = (): DatabaseConfig['kind'] => (TEST_MYSQL_URL ? 'mysql' : 'sqlite');

export interface TestDatabase {
  config: DatabaseConfig;
  drop(): Promise<void>;
}

/** A database of its own for one test file (or one scenario): created empty, dropped after. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_MYSQL_URL) {
    const name = `dca_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = await createConnection(TEST_MYSQL_URL);
    try {
      await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    } finally {
      await admin.end();
    }
    const url = new URL(TEST_MYSQL_URL);
    url.pathname = `/${name}`;
    return {
      config: { kind: 'mysql', url: url.toString(), poolSize: 10 },
      drop: async () => {
        const conn = await createConnection(TEST_MYSQL_URL);
        try {
          await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
        } finally {
          await conn.end();
        }
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'dca-test-'));
  return {
    config: { kind: 'sqlite', url: join(dir, 'test.sqlite'), poolSize: 1 },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
