import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { id, idRef, timestamp } from './helpers';

export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'workspace',
        columns: [id(), { name: 'name', type: 'varchar', length: '255' }, timestamp('created_at')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'api_key',
        columns: [
          id(),
          idRef('workspace_id'),
          { name: 'name', type: 'varchar', length: '255' },
          { name: 'scopes', type: 'varchar', length: '64' },
          { name: 'secret_hash', type: 'varchar', length: '64' },
          timestamp('created_at'),
          timestamp('last_used_at', true),
          timestamp('revoked_at', true),
        ],
        indices: [
          new TableIndex({ name: 'uq_api_key_secret_hash', columnNames: ['secret_hash'], isUnique: true }),
          new TableIndex({ name: 'idx_api_key_workspace', columnNames: ['workspace_id', 'created_at'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_api_key_workspace',
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
    await queryRunner.dropTable('api_key');
    await queryRunner.dropTable('workspace');
  }
}
