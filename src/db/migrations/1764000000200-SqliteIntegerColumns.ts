import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The INT columns of the earlier migrations: (table, column). */
const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['person', 'score'],
  ['activity', 'meeting_duration_minutes'],
  ['campaign', 'active'],
  ['campaign_trigger', 'position'],
  ['sales_insight_settings', 'enabled'],
  ['delivery', 'attempts'],
];

/**
 * SQLite only: the INT columns are declared INTEGER, the name TypeORM's
 * SQLite driver gives every integer column, so the entities match the schema
 * (TypeORM compares declared type names, and would otherwise see a change in
 * each of these columns forever). Same affinity, same values: SQLite cannot
 * retype a column in place, so each table is rebuilt (copied into a new
 * table, indexes and foreign keys recreated), inside the migration's
 * transaction and with foreign key enforcement off as TypeORM runs
 * migrations on SQLite. MySQL/MariaDB already have INT: nothing to do.
 */
export class SqliteIntegerColumns1764000000200 implements MigrationInterface {
  name = 'SqliteIntegerColumns1764000000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await retype(queryRunner, 'int', 'integer');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await retype(queryRunner, 'integer', 'int');
  }
}

async function retype(queryRunner: QueryRunner, from: string, to: string): Promise<void> {
  if (queryRunner.connection.options.type !== 'better-sqlite3') return;
  for (const [tableName, columnName] of COLUMNS) {
    const table = await queryRunner.getTable(tableName);
    const column = table?.findColumnByName(columnName);
    if (!table || !column) throw new Error(`${tableName}.${columnName} is missing`);
    if (column.type !== from) continue;
    const changed = column.clone();
    changed.type = to;
    await queryRunner.changeColumn(table, column, changed);
  }
}
