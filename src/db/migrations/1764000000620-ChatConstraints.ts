import { Table, TableColumn, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { binaryCollation, idRef, timestamp } from './helpers';

/**
 * Marketo-level chat constraints (issue 21, part 1):
 *
 * - LINK_CLICKED activities carry the link's url and text;
 * - a meeting carries its booking's id (reschedules and cancellations name
 *   it), indexed so a booking's latest row is one short range read;
 * - an engagement carries its conversation status, INITIATED for every
 *   engagement recorded so far, moved forward by updateConversation, whose
 *   answers are kept by clientEventId in `conversation_update`;
 * - a workspace has a time zone (IANA name, UTC until set) for the calendar
 *   time frames of smart-list and campaign filters.
 *
 * Ids and keys compare as bytes on MySQL/MariaDB, as on SQLite.
 */
export class ChatConstraints1764000000620 implements MigrationInterface {
  name = 'ChatConstraints1764000000620';

  async up(queryRunner: QueryRunner): Promise<void> {
    const collation = await binaryCollation(queryRunner);
    const exact = collation ? { charset: 'utf8mb4', collation } : {};
    // Plain ALTERs: TypeORM's addColumns rebuilds the whole table on SQLite; MySQL takes them in one statement.
    const columns = [
      `meeting_id varchar(128)${collation ? ` CHARACTER SET utf8mb4 COLLATE ${collation}` : ''} NULL`,
      'link_url varchar(2048) NULL',
      'link_text varchar(255) NULL',
      'conversation_status varchar(16) NULL',
    ];
    if (collation) await queryRunner.query(`ALTER TABLE activity ${columns.map((c) => `ADD COLUMN ${c}`).join(', ')}`);
    else for (const column of columns) await queryRunner.query(`ALTER TABLE activity ADD COLUMN ${column}`);
    await queryRunner.query("UPDATE activity SET conversation_status = 'INITIATED' WHERE type = 'ENGAGED'");
    await queryRunner.createIndex(
      'activity',
      new TableIndex({
        name: 'idx_activity_meeting',
        columnNames: ['workspace_id', 'meeting_id', 'occurred_at', 'id'],
      }),
    );
    await queryRunner.addColumn(
      'workspace',
      new TableColumn({ name: 'time_zone', type: 'varchar', length: '64', default: "'UTC'" }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'conversation_update',
        columns: [
          { ...idRef('workspace_id'), isPrimary: true },
          { name: 'client_event_id', type: 'varchar', length: '128', isPrimary: true, ...exact },
          idRef('activity_id'),
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'outcome', type: 'varchar', length: '32' },
          timestamp('created_at'),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_conversation_update_workspace',
            columnNames: ['workspace_id'],
            referencedTableName: 'workspace',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('conversation_update');
    await queryRunner.dropColumn('workspace', 'time_zone');
    await queryRunner.dropIndex('activity', 'idx_activity_meeting');
    await queryRunner.dropColumns('activity', ['conversation_status', 'link_text', 'link_url', 'meeting_id']);
  }
}
