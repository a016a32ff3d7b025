import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { id, idRef, timestamp } from './helpers';

const varchar = (name: string, length: number, nullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});

export class PeopleAndActivities1764000000001 implements MigrationInterface {
  name = 'PeopleAndActivities1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'person',
        columns: [
          id(),
          idRef('workspace_id'),
          varchar('email', 320, true),
          varchar('email_normalized', 320, true),
          varchar('first_name', 255, true),
          varchar('last_name', 255, true),
          varchar('company', 255, true),
          { name: 'score', type: 'int', default: 0 },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_person_email',
            columnNames: ['workspace_id', 'email_normalized'],
            isUnique: true,
          }),
          new TableIndex({ name: 'idx_person_workspace', columnNames: ['workspace_id', 'id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_person_workspace',
            columnNames: ['workspace_id'],
            referencedTableName: 'workspace',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'visitor',
        columns: [
          { ...idRef('workspace_id'), isPrimary: true },
          { ...varchar('visitor_id', 128), isPrimary: true },
          idRef('person_id'),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [new TableIndex({ name: 'idx_visitor_person', columnNames: ['person_id'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_visitor_workspace',
            columnNames: ['workspace_id'],
            referencedTableName: 'workspace',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
          new TableForeignKey({
            name: 'fk_visitor_person',
            columnNames: ['person_id'],
            referencedTableName: 'person',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'activity',
        columns: [
          id(),
          idRef('workspace_id'),
          idRef('person_id'),
          varchar('type', 32),
          timestamp('occurred_at'),
          timestamp('recorded_at'),
          varchar('visitor_id', 128),
          varchar('session_id', 128),
          varchar('chat_kind', 32),
          varchar('chat_id', 128),
          varchar('chat_name', 255),
          varchar('page_url', 2048, true),
          varchar('client_event_id', 128, true),
          varchar('request_hash', 64, true),
          varchar('once_key', 64, true),
          varchar('prompt', 32, true),
          varchar('agent_id', 128, true),
          varchar('agent_name', 255, true),
          varchar('document_id', 128, true),
          varchar('document_name', 255, true),
          varchar('document_url', 2048, true),
          varchar('goal', 255, true),
          timestamp('meeting_starts_at', true),
          { name: 'meeting_duration_minutes', type: 'int', isNullable: true },
          varchar('meeting_status', 16, true),
        ],
        indices: [
          new TableIndex({
            name: 'uq_activity_client_event',
            columnNames: ['workspace_id', 'client_event_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'uq_activity_once', columnNames: ['workspace_id', 'once_key'], isUnique: true }),
          new TableIndex({ name: 'idx_activity_person_time', columnNames: ['person_id', 'occurred_at', 'id'] }),
          new TableIndex({ name: 'idx_activity_person_type', columnNames: ['person_id', 'type', 'occurred_at'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_activity_workspace',
            columnNames: ['workspace_id'],
            referencedTableName: 'workspace',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
          new TableForeignKey({
            name: 'fk_activity_person',
            columnNames: ['person_id'],
            referencedTableName: 'person',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('activity');
    await queryRunner.dropTable('visitor');
    await queryRunner.dropTable('person');
  }
}
