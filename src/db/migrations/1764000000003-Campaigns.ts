import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { id, idRef, timestamp } from './helpers';

const varchar = (name: string, length: number, nullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const cascade = (name: string, column: string, table: string) =>
  new TableForeignKey({
    name,
    columnNames: [column],
    referencedTableName: table,
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

/**
 * Campaigns: the definition (JSON), a trigger index the write path looks up
 * by (workspace, activity type), runs with a per-campaign sequence number
 * (the subscription cursor), and per (campaign, person) qualification state
 * whose primary key makes ONCE / ONCE_EVERY race-safe.
 */
export class Campaigns1764000000003 implements MigrationInterface {
  name = 'Campaigns1764000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = ['mysql', 'mariadb'].includes(queryRunner.connection.options.type);
    // A flow of 25 webhook steps with long URLs and conditions can outgrow MySQL's 64 KB TEXT.
    const json = (name: string) => ({ name, type: mysql ? 'mediumtext' : 'text' });
    await queryRunner.createTable(
      new Table({
        name: 'campaign',
        columns: [
          id(),
          idRef('workspace_id'),
          varchar('name', 255),
          varchar('description', 1024, true),
          { name: 'active', type: 'int', default: 0 },
          json('definition'),
          // Last allocated run sequence number; incremented inside the recording transaction (a row lock orders runs).
          { name: 'run_seq', type: 'bigint', default: 0 },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [new TableIndex({ name: 'idx_campaign_workspace', columnNames: ['workspace_id', 'id'] })],
        foreignKeys: [cascade('fk_campaign_workspace', 'workspace_id', 'workspace')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'campaign_trigger',
        columns: [
          { ...idRef('campaign_id'), isPrimary: true },
          { name: 'position', type: 'int', isPrimary: true },
          idRef('workspace_id'),
          varchar('activity_type', 32),
        ],
        indices: [
          new TableIndex({ name: 'idx_campaign_trigger_type', columnNames: ['workspace_id', 'activity_type'] }),
        ],
        foreignKeys: [cascade('fk_campaign_trigger_campaign', 'campaign_id', 'campaign')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'campaign_run',
        columns: [
          id(),
          idRef('workspace_id'),
          idRef('campaign_id'),
          { name: 'seq', type: 'bigint' },
          idRef('person_id'),
          idRef('activity_id'),
          timestamp('triggered_at'),
          json('steps'),
        ],
        indices: [
          new TableIndex({ name: 'uq_campaign_run_seq', columnNames: ['campaign_id', 'seq'], isUnique: true }),
          new TableIndex({ name: 'idx_campaign_run_person', columnNames: ['person_id'] }),
        ],
        foreignKeys: [cascade('fk_campaign_run_campaign', 'campaign_id', 'campaign')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'campaign_qualification',
        columns: [
          { ...idRef('campaign_id'), isPrimary: true },
          { ...idRef('person_id'), isPrimary: true },
          idRef('workspace_id'),
          timestamp('last_run_at'),
          // Which run claimed the row last: tells the claimer it won an insert-or-ignore race.
          idRef('run_id'),
        ],
        indices: [new TableIndex({ name: 'idx_campaign_qualification_person', columnNames: ['person_id'] })],
        foreignKeys: [cascade('fk_campaign_qualification_campaign', 'campaign_id', 'campaign')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['campaign_qualification', 'campaign_run', 'campaign_trigger', 'campaign'])
      await queryRunner.dropTable(table);
  }
}
