import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { id, idRef, timestamp } from './helpers';

const varchar = (name: string, length: number, nullable = false) => ({ name, type: 'varchar', length: String(length), isNullable: nullable });

export class Deliveries1764000000004 implements MigrationInterface {
  name = 'Deliveries1764000000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'sales_insight_settings',
        columns: [
          { ...idRef('workspace_id'), isPrimary: true },
          { name: 'enabled', type: 'int', default: 0 },
          varchar('endpoint_url', 2048, true),
          // AES-256-GCM under SECRETS_KEY: iv.tag.ciphertext, base64url.
          varchar('signing_secret_enc', 1024, true),
          // JSON array of ChatActivityType.
          varchar('activity_types', 1024),
          timestamp('updated_at'),
        ],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_sis_workspace', columnNames: ['workspace_id'], referencedTableName: 'workspace', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'delivery',
        columns: [
          id(),
          idRef('workspace_id'),
          varchar('kind', 32),
          varchar('status', 16),
          idRef('activity_id', true),
          // No foreign key yet: the campaign run table belongs to the campaigns migration.
          idRef('campaign_run_id', true),
          varchar('url', 2048),
          { name: 'payload', type: 'text' },
          { name: 'attempts', type: 'int', default: 0 },
          varchar('last_error', 1000, true),
          timestamp('next_attempt_at', true),
          timestamp('delivered_at', true),
          timestamp('created_at'),
          varchar('lease_owner', 64, true),
          timestamp('lease_until', true),
        ],
        indices: [
          // The worker's due query: status = PENDING AND next_attempt_at <= now.
          new TableIndex({ name: 'idx_delivery_due', columnNames: ['status', 'next_attempt_at'] }),
          new TableIndex({ name: 'idx_delivery_ws', columnNames: ['workspace_id', 'id'] }),
          new TableIndex({ name: 'idx_delivery_ws_status', columnNames: ['workspace_id', 'status', 'id'] }),
          new TableIndex({ name: 'idx_delivery_ws_kind', columnNames: ['workspace_id', 'kind', 'id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_delivery_workspace', columnNames: ['workspace_id'], referencedTableName: 'workspace', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('delivery');
    await queryRunner.dropTable('sales_insight_settings');
  }
}
