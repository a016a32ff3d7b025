import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Smart-list names are unique case-insensitively and otherwise exactly
 * (name_key is the lower-cased name). MySQL's utf8mb4_unicode_ci collation
 * would also equate "Café" and "Cafe" (and ignore trailing spaces), so the
 * key column compares bytes there, as SQLite already does. NO PAD where the
 * server has it (MariaDB: utf8mb4_nopad_bin, MySQL 8: utf8mb4_0900_bin).
 */
export class BinaryNameKeys1764000000005 implements MigrationInterface {
  name = 'BinaryNameKeys1764000000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!['mysql', 'mariadb'].includes(queryRunner.connection.options.type)) return;
    const available = (await queryRunner.query(
      "SHOW COLLATION WHERE Collation IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')",
    )) as Array<{ Collation: string }>;
    const names = available.map((row) => row.Collation);
    const collation = names.includes('utf8mb4_nopad_bin')
      ? 'utf8mb4_nopad_bin'
      : names.includes('utf8mb4_0900_bin')
        ? 'utf8mb4_0900_bin'
        : 'utf8mb4_bin';
    await queryRunner.query(
      `ALTER TABLE smart_list MODIFY name_key varchar(255) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (!['mysql', 'mariadb'].includes(queryRunner.connection.options.type)) return;
    await queryRunner.query(
      'ALTER TABLE smart_list MODIFY name_key varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL',
    );
  }
}
