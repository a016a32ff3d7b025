import { createDataSource, openDatabase } from '../src/db/data-source';
import { MIGRATIONS } from '../src/db/migrations';
import { createTestDatabase, type TestDatabase } from './helpers/database';

describe('migrations', () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(() => database.drop());

  async function tableNames(db: TestDatabase): Promise<string[]> {
    const ds = createDataSource(db.config);
    await ds.initialize();
    try {
      const rows: Array<{ name: string }> =
        db.config.kind === 'mysql'
          ? await ds.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()')
          : await ds.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
      return rows.map((r) => r.name).sort();
    } finally {
      await ds.destroy();
    }
  }

  it('builds the whole schema on an empty database and is a no-op on a migrated one', async () => {
    const first = await openDatabase(database.config);
    const executed = await first.query('SELECT name FROM migrations ORDER BY id');
    expect(executed).toHaveLength(MIGRATIONS.length);
    expect(await first.showMigrations()).toBe(false);
    await first.destroy();
    const tablesAfterFirst = await tableNames(database);
    expect(tablesAfterFirst).toEqual(
      expect.arrayContaining([
        'workspace',
        'api_key',
        'person',
        'visitor',
        'activity',
        'sales_insight_settings',
        'delivery',
        'migrations',
      ]),
    );

    const second = await openDatabase(database.config);
    expect(await second.query('SELECT name FROM migrations ORDER BY id')).toEqual(executed);
    await second.destroy();
    expect(await tableNames(database)).toEqual(tablesAfterFirst);
  });

  it('reverts every migration cleanly and applies them again', async () => {
    const ds = await openDatabase(database.config);
    try {
      for (let i = 0; i < MIGRATIONS.length; i += 1) await ds.undoLastMigration({ transaction: 'each' });
      expect(await ds.query('SELECT name FROM migrations')).toHaveLength(0);
      await ds.runMigrations({ transaction: 'each' });
      expect(await ds.query('SELECT name FROM migrations')).toHaveLength(MIGRATIONS.length);
    } finally {
      await ds.destroy();
    }
    expect(await tableNames(database)).toEqual(expect.arrayContaining(['activity', 'api_key']));
  });
});
