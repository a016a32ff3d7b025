import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { id, idRef, timestamp } from './helpers';

export class SmartLists1764000000002 implements MigrationInterface {
  name = 'SmartLists1764000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = ['mysql', 'mariadb'].includes(queryRunner.connection.options.type);
    await queryRunner.createTable(
      new Table({
        name: 'smart_list',
        columns: [
          id(),
          idRef('workspace_id'),
          { name: 'name', type: 'varchar', length: '255' },
          { name: 'name_key', type: 'varchar', length: '255' },
          { name: 'description', type: 'varchar', length: '1024', isNullable: true },
          // 25 filters of 100 values of up to 2 KB each can outgrow MySQL's 64 KB TEXT.
          { name: 'definition', type: mysql ? 'mediumtext' : 'text' },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_smart_list_name', columnNames: ['workspace_id', 'name_key'], isUnique: true }),
          new TableIndex({ name: 'idx_smart_list_workspace', columnNames: ['workspace_id', 'id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_smart_list_workspace',
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
    await queryRunner.dropTable('smart_list');
  }
}
