import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { idRef } from './helpers';

const STREAM_INDEX = new TableIndex({
  name: 'uq_activity_stream',
  columnNames: ['workspace_id', 'stream_seq'],
  isUnique: true,
});

/**
 * The workspace's activity stream: every stored activity gets a position,
 * in commit order, so activityRecorded(after:) can replay what a subscriber
 * missed and then go live without gap or repeat. Existing activities are
 * numbered in the order they were stored.
 */
export class ActivityStream1764000000100 implements MigrationInterface {
  name = 'ActivityStream1764000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = ['mysql', 'mariadb'].includes(queryRunner.connection.options.type);
    // A plain ALTER: TypeORM's addColumn rebuilds the whole table on SQLite.
    await queryRunner.query('ALTER TABLE activity ADD COLUMN stream_seq bigint NULL');
    const numbered =
      'SELECT id, ROW_NUMBER() OVER (PARTITION BY workspace_id ORDER BY recorded_at, id) AS n FROM activity';
    await queryRunner.query(
      mysql
        ? `UPDATE activity a JOIN (${numbered}) r ON r.id = a.id SET a.stream_seq = r.n`
        : `UPDATE activity SET stream_seq = r.n FROM (${numbered}) AS r WHERE r.id = activity.id`,
    );
    await queryRunner.createIndex('activity', STREAM_INDEX);
    await queryRunner.createTable(
      new Table({
        name: 'activity_stream_head',
        columns: [
          { ...idRef('workspace_id'), isPrimary: true },
          { name: 'seq', type: 'bigint' },
        ],
      }),
    );
    await queryRunner.query(
      'INSERT INTO activity_stream_head (workspace_id, seq) SELECT workspace_id, MAX(stream_seq) FROM activity GROUP BY workspace_id',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('activity_stream_head');
    await queryRunner.dropIndex('activity', STREAM_INDEX);
    await queryRunner.dropColumn('activity', 'stream_seq');
  }
}
