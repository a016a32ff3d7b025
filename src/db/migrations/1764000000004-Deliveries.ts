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
 * Sales Insight settings (one row per workspace) and the delivery outbox.
 * Outbox rows are written in the transaction of what caused them and sent by
 * the worker (src/delivery/delivery.worker.ts), which claims due rows with a
 * lease (lease_owner, lease_until) so several instances never send one at the
 * same time, and a crashed instance's claims expire.
 */
export class Deliveries1764000000004 implements MigrationInterface {
  name = 'Deliveries1764000000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = ['mysql', 'mariadb'].includes(queryRunner.connection.options.type);
    await queryRunner.createTable(
      new Table({
        name: 'sales_insight_settings',
        columns: [
          { ...idRef('workspace_id'), isPrimary: true },
          { name: 'enabled', type: 'int', default: 0 },
          varchar('endpoint_url', 2048, true),
          // Encrypted (AES-256-GCM, see secret-box.ts), not hashed: the worker needs it to sign.
          varchar('signing_secret_enc', 1024, true),
          // JSON array of ChatActivityType.
          varchar('activity_types', 1024),
          timestamp('updated_at'),
        ],
        foreignKeys: [cascade('fk_sis_workspace', 'workspace_id', 'workspace')],
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
          // No foreign key: campaign runs are another feature's table, and a delivery outlives what caused it.
          idRef('campaign_run_id', true),
          // WEBHOOK only; Sales Insight kinds go to the endpoint configured when they are sent, so fixing a wrong URL and retrying works.
          varchar('url', 2048, true),
          // The exact body POSTed (and signed); a campaign's webhook payload can outgrow MySQL's 64 KB TEXT.
          { name: 'payload', type: mysql ? 'mediumtext' : 'text' },
          { name: 'attempts', type: 'int', default: 0 },
          varchar('last_error', 1000, true),
          timestamp('last_attempt_at', true),
          timestamp('next_attempt_at', true),
          timestamp('delivered_at', true),
          timestamp('created_at'),
          varchar('lease_owner', 64, true),
          timestamp('lease_until', true),
        ],
        indices: [
          // The worker's due query: status = PENDING AND next_attempt_at <= now.
          new TableIndex({ name: 'idx_delivery_due', columnNames: ['status', 'next_attempt_at'] }),
          // `deliveries` lists newest first (UUIDv7 ids are time-ordered), optionally by status or kind.
          new TableIndex({ name: 'idx_delivery_ws', columnNames: ['workspace_id', 'id'] }),
          new TableIndex({ name: 'idx_delivery_ws_status', columnNames: ['workspace_id', 'status', 'id'] }),
          new TableIndex({ name: 'idx_delivery_ws_kind', columnNames: ['workspace_id', 'kind', 'id'] }),
        ],
        foreignKeys: [cascade('fk_delivery_workspace', 'workspace_id', 'workspace')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('delivery');
    await queryRunner.dropTable('sales_insight_settings');
  }
}
