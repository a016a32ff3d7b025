import type { DataSource } from 'typeorm';
import { openDatabase } from '../src/db/data-source';
import { inTransaction } from '../src/db/transaction';
import { createTestDatabase, databaseKind, type TestDatabase } from './helpers/database';

// The write path's rules (a unique-index race is decided by what the winner committed) assume READ COMMITTED on
// MySQL. It is the pooled connections' session default rather than a statement per transaction, so check that
// every connection the pool opens has it, not only the first.
(databaseKind() === 'mysql' ? describe : describe.skip)('transactions on MySQL/MariaDB', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openDatabase(database.config);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('run READ COMMITTED on every pooled connection', async () => {
    const seen = await Promise.all(
      Array.from({ length: 12 }, () =>
        inTransaction(dataSource, async (tx) => {
          const [row] = await tx.query('SELECT @@tx_isolation AS isolation, CONNECTION_ID() AS connection');
          // Hold the connection a moment so the twelve transactions spread over the whole pool.
          await tx.query('SELECT SLEEP(0.05)');
          return row as { isolation: string; connection: number };
        }),
      ),
    );
    expect(new Set(seen.map((row) => row.connection)).size).toBeGreaterThan(1);
    expect(new Set(seen.map((row) => row.isolation))).toEqual(new Set(['READ-COMMITTED']));
  });

  it('leaves statements outside transactions in the same isolation', async () => {
    const [row] = await dataSource.query('SELECT @@tx_isolation AS isolation');
    expect(row.isolation).toBe('READ-COMMITTED');
  });
});
