import { DataSource, type DataSourceOptions } from 'typeorm';
import { createDataSource, dataSourceOptions, openDatabase } from '../src/db/data-source';
import { alignEntityMetadata, ENTITIES } from '../src/db/entities';
import { MIGRATIONS } from '../src/db/migrations';
import { SqliteIntegerColumns1764000000200 } from '../src/db/migrations/1764000000200-SqliteIntegerColumns';
import { Catalog1764000000300 } from '../src/db/migrations/1764000000300-Catalog';
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

  /**
   * What TypeORM's schema builder would run to make the migrated database
   * match the entities: a difference in a column's type, length,
   * nullability or default, an index, a unique index or a foreign key is a
   * statement here.
   */
  async function pendingSchemaChanges(db: TestDatabase): Promise<string[]> {
    const options = dataSourceOptions(db.config);
    const ds = new DataSource(options.type === 'mysql' && (await isMariaDb(db)) ? mariaDb(options) : options);
    await ds.initialize();
    try {
      alignEntityMetadata(ds);
      const { upQueries } = await ds.driver.createSchemaBuilder().log();
      return upQueries.map((query) => query.query);
    } finally {
      await ds.destroy();
    }
  }

  async function isMariaDb(db: TestDatabase): Promise<boolean> {
    const ds = createDataSource(db.config);
    await ds.initialize();
    try {
      const [{ version }] = await ds.query('SELECT VERSION() AS version');
      return String(version).includes('MariaDB');
    } finally {
      await ds.destroy();
    }
  }

  // TypeORM reads MariaDB's information_schema right only as its 'mariadb' type (as 'mysql', every nullable
  // column's default reads back as the string 'NULL'); the app's own connection is the same either way.
  const mariaDb = (options: DataSourceOptions): DataSourceOptions =>
    ({ ...options, type: 'mariadb' }) as DataSourceOptions;

  const entityTables = (ds: DataSource): string[] =>
    ENTITIES.map((entity) => ds.getMetadata(entity).tableName)
      .concat('migrations')
      .sort();

  it('builds the whole schema on an empty database, as the entities describe it, and is a no-op on a migrated one', async () => {
    const first = await openDatabase(database.config);
    const executed = await first.query('SELECT name FROM migrations ORDER BY id');
    expect(executed).toHaveLength(MIGRATIONS.length);
    expect(await first.showMigrations()).toBe(false);
    const expectedTables = entityTables(first);
    await first.destroy();
    // Every table has an entity, and the entities match the migrated schema exactly.
    expect(await tableNames(database)).toEqual(expectedTables);
    expect(await pendingSchemaChanges(database)).toEqual([]);

    const second = await openDatabase(database.config);
    expect(await second.query('SELECT name FROM migrations ORDER BY id')).toEqual(executed);
    await second.destroy();
    expect(await tableNames(database)).toEqual(expectedTables);
  });

  it('reverts every migration cleanly and applies them again', async () => {
    const ds = await openDatabase(database.config);
    const expectedTables = entityTables(ds);
    try {
      for (let i = 0; i < MIGRATIONS.length; i += 1) await ds.undoLastMigration({ transaction: 'each' });
      expect(await ds.query('SELECT name FROM migrations')).toHaveLength(0);
      await ds.runMigrations({ transaction: 'each' });
      expect(await ds.query('SELECT name FROM migrations')).toHaveLength(MIGRATIONS.length);
    } finally {
      await ds.destroy();
    }
    expect(await tableNames(database)).toEqual(expectedTables);
    expect(await pendingSchemaChanges(database)).toEqual([]);
  });

  it('retypes the INT columns of a populated database without losing or changing a row', async () => {
    const before = new DataSource({
      ...dataSourceOptions(database.config),
      migrations: MIGRATIONS.filter((m) => m !== SqliteIntegerColumns1764000000200),
    });
    await before.initialize();
    await before.runMigrations({ transaction: 'each' });
    const rows: Array<[string, unknown[]]> = [
      ['workspace (id, name, created_at)', ['w1', 'W', 1]],
      ['api_key (id, workspace_id, name, scopes, secret_hash, created_at)', ['k1', 'w1', 'k', 'READ', 'h', 1]],
      [
        'person (id, workspace_id, email, email_normalized, score, created_at, updated_at)',
        ['p1', 'w1', 'A@x.io', 'a@x.io', 7, 1, 2],
      ],
      ['visitor (workspace_id, visitor_id, person_id, created_at, updated_at)', ['w1', 'v1', 'p1', 1, 1]],
      [
        'activity (id, workspace_id, person_id, type, occurred_at, recorded_at, visitor_id, session_id, chat_kind, chat_id, chat_name, meeting_duration_minutes)',
        ['a1', 'w1', 'p1', 'MEETING_SCHEDULED', 1, 1, 'v1', 's1', 'DIALOGUE', 'c1', 'C', 45],
      ],
      [
        'smart_list (id, workspace_id, name, name_key, definition, created_at, updated_at)',
        ['l1', 'w1', 'L', 'l', '{}', 1, 1],
      ],
      [
        'campaign (id, workspace_id, name, active, definition, run_seq, created_at, updated_at)',
        ['c1', 'w1', 'C', 1, '{}', 1, 1, 1],
      ],
      ['campaign_trigger (campaign_id, position, workspace_id, activity_type)', ['c1', 1, 'w1', 'GOAL_ACHIEVED']],
      [
        'campaign_run (id, workspace_id, campaign_id, seq, person_id, activity_id, triggered_at, steps)',
        ['r1', 'w1', 'c1', 1, 'p1', 'a1', 1, '[]'],
      ],
      [
        'campaign_qualification (campaign_id, person_id, workspace_id, last_run_at, run_id)',
        ['c1', 'p1', 'w1', 1, 'r1'],
      ],
      ['sales_insight_settings (workspace_id, enabled, activity_types, updated_at)', ['w1', 1, '[]', 1]],
      [
        'delivery (id, workspace_id, kind, status, payload, attempts, created_at)',
        ['d1', 'w1', 'ACTIVITY', 'PENDING', '{}', 3, 1],
      ],
    ];
    for (const [into, values] of rows)
      await before.query(`INSERT INTO ${into} VALUES (${values.map(() => '?').join(', ')})`, values);
    const snapshot = async (ds: DataSource) => {
      const tables: Record<string, unknown> = {};
      for (const [into] of rows) {
        const table = into.split(' ')[0];
        tables[table] = await ds.query(`SELECT * FROM ${table}`);
      }
      return tables;
    };
    const expected = await snapshot(before);
    await before.destroy();

    const after = await openDatabase(database.config);
    try {
      expect(await after.showMigrations()).toBe(false);
      expect(await snapshot(after)).toEqual(expected);
      // The foreign keys still hold and still cascade.
      if (database.config.kind === 'sqlite') expect(await after.query('PRAGMA foreign_key_check')).toEqual([]);
      await expect(after.query("DELETE FROM person WHERE id = 'p1'")).rejects.toThrow();
      await after.query("DELETE FROM campaign WHERE id = 'c1'");
      for (const table of ['campaign_trigger', 'campaign_run', 'campaign_qualification'])
        expect(await after.query(`SELECT * FROM ${table}`)).toEqual([]);
    } finally {
      await after.destroy();
    }
  });

  it('backfills chats, agents and documents from the activities: kind of the first, name (and url) of the latest', async () => {
    const before = new DataSource({
      ...dataSourceOptions(database.config),
      migrations: MIGRATIONS.filter((m) => m !== Catalog1764000000300),
    });
    await before.initialize();
    await before.runMigrations({ transaction: 'each' });
    await before.query("INSERT INTO workspace (id, name, created_at) VALUES ('w1', 'W', 1), ('w2', 'W2', 1)");
    await before.query(
      "INSERT INTO person (id, workspace_id, score, created_at, updated_at) VALUES ('p1', 'w1', 0, 1, 1), ('p2', 'w2', 0, 1, 1)",
    );
    const activity = (
      id: string,
      ws: string,
      recordedAt: number,
      chat: [string, string, string],
      extra: Partial<Record<'agent_id' | 'agent_name' | 'document_id' | 'document_name' | 'document_url', string>> = {},
    ) =>
      before.query(
        `INSERT INTO activity (id, workspace_id, person_id, type, occurred_at, recorded_at, visitor_id, session_id, chat_kind, chat_id, chat_name, agent_id, agent_name, document_id, document_name, document_url)
         VALUES (?, ?, ?, 'GOAL_ACHIEVED', ?, ?, 'v', 's', ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          ws,
          ws === 'w1' ? 'p1' : 'p2',
          // occurred_at runs backwards: recorded_at decides.
          10_000 - recordedAt,
          recordedAt,
          ...chat,
          extra.agent_id ?? null,
          extra.agent_name ?? null,
          extra.document_id ?? null,
          extra.document_name ?? null,
          extra.document_url ?? null,
        ],
      );
    await activity('a1', 'w1', 100, ['DIALOGUE', 'bot', 'Old name'], { agent_id: 'ag', agent_name: 'Agent old' });
    await activity('a2', 'w1', 300, ['CONVERSATIONAL_FLOW', 'bot', 'New name'], {
      document_id: 'doc',
      document_name: 'Doc new',
    });
    await activity('a3', 'w1', 200, ['DIALOGUE', 'bot', 'Middle name'], {
      agent_id: 'ag',
      agent_name: 'Agent new',
      document_id: 'doc',
      document_name: 'Doc old',
      document_url: 'https://example.com/old.pdf',
    });
    // Widget ids compare exactly: "Bot" is another chat; the same id in another workspace is another too.
    await activity('a4', 'w1', 150, ['CONVERSATIONAL_FLOW', 'Bot', 'Capital']);
    await activity('a5', 'w2', 50, ['CONVERSATIONAL_FLOW', 'bot', 'Elsewhere']);
    await before.destroy();

    const after = await openDatabase(database.config);
    try {
      const rows = await after.query(
        'SELECT workspace_id, entry_type, widget_id, chat_kind, name, name_key, url, created_at, updated_at FROM catalog_entry ORDER BY workspace_id, entry_type, name',
      );
      expect(
        rows.map((r: Record<string, unknown>) => ({
          ...r,
          created_at: Number(r.created_at),
          updated_at: Number(r.updated_at),
        })),
      ).toEqual([
        {
          workspace_id: 'w1',
          entry_type: 'AGENT',
          widget_id: 'ag',
          chat_kind: null,
          name: 'Agent new',
          name_key: 'agent new',
          url: null,
          created_at: 100,
          updated_at: 200,
        },
        {
          workspace_id: 'w1',
          entry_type: 'CHAT',
          widget_id: 'Bot',
          chat_kind: 'CONVERSATIONAL_FLOW',
          name: 'Capital',
          name_key: 'capital',
          url: null,
          created_at: 150,
          updated_at: 150,
        },
        {
          workspace_id: 'w1',
          entry_type: 'CHAT',
          widget_id: 'bot',
          chat_kind: 'DIALOGUE',
          name: 'New name',
          name_key: 'new name',
          url: null,
          created_at: 100,
          updated_at: 300,
        },
        {
          workspace_id: 'w1',
          entry_type: 'DOCUMENT',
          widget_id: 'doc',
          chat_kind: null,
          name: 'Doc new',
          name_key: 'doc new',
          url: null,
          created_at: 200,
          updated_at: 300,
        },
        {
          workspace_id: 'w2',
          entry_type: 'CHAT',
          widget_id: 'bot',
          chat_kind: 'CONVERSATIONAL_FLOW',
          name: 'Elsewhere',
          name_key: 'elsewhere',
          url: null,
          created_at: 50,
          updated_at: 50,
        },
      ]);
    } finally {
      await after.destroy();
    }
  });
});
