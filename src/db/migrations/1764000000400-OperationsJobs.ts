import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { timestamp } from './helpers';

const RETENTION_INDEX = new TableIndex({ name: 'idx_delivery_retention', columnNames: ['status', 'last_attempt_at'] });

/**
 * What running in production needs of the schema:
 * - job_lease: one row per periodic job (the delivery retention), taken by
 *   one instance at a time with an atomic UPDATE, so a job runs once across
 *   instances (src/jobs/job-lease.repository.ts);
 * - the retention's index on delivery (status, last_attempt_at), so finding
 *   expired DELIVERED and DEAD rows is a range scan, not a table scan;
 * - delivery.trace_parent: the trace a delivery's attempts continue.
 */
export class OperationsJobs1764000000400 implements MigrationInterface {
  name = 'OperationsJobs1764000000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'job_lease',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'owner', type: 'varchar', length: '64' },
          timestamp('lease_until'),
        ],
      }),
    );
    // A plain ALTER: TypeORM's addColumn rebuilds the whole table on SQLite.
    await queryRunner.query('ALTER TABLE delivery ADD COLUMN trace_parent varchar(64) NULL');
    await queryRunner.createIndex('delivery', RETENTION_INDEX);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('delivery', RETENTION_INDEX);
    await queryRunner.dropColumn('delivery', 'trace_parent');
    await queryRunner.dropTable('job_lease');
  }
}
