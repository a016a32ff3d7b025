import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Identity verification (a workspace setting and its secret) and the origins
 * an API key may be used from.
 *
 * Every workspace starts in OPTIONAL, existing ones included: an identify
 * without a valid hash, from a public (RECORD-only) key, may still attach a
 * visitor and merge its anonymous history, but no longer rewrite a known
 * person's fields, which anyone holding the page's key could do before.
 */
export class IdentityAndOrigins1764000000500 implements MigrationInterface {
  name = 'IdentityAndOrigins1764000000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = ['mysql', 'mariadb'].includes(queryRunner.connection.options.type);
    await queryRunner.addColumns('workspace', [
      new TableColumn({
        name: 'identity_verification',
        type: 'varchar',
        length: '16',
        default: "'OPTIONAL'",
      }),
      // Encrypted (AES-256-GCM under SECRETS_KEY, src/shared/secret-box.ts): the server computes hashes with it.
      new TableColumn({ name: 'identity_secret_enc', type: 'varchar', length: '1024', isNullable: true }),
      new TableColumn({ name: 'identity_secret_rotated_at', type: 'bigint', isNullable: true }),
    ]);
    // A JSON array of origins ("https://shop.example.com"); null: any origin.
    await queryRunner.addColumn(
      'api_key',
      new TableColumn({ name: 'allowed_origins', type: mysql ? 'mediumtext' : 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('api_key', 'allowed_origins');
    await queryRunner.dropColumns('workspace', [
      'identity_secret_rotated_at',
      'identity_secret_enc',
      'identity_verification',
    ]);
  }
}
