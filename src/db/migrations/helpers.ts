import type { QueryRunner, TableColumnOptions } from 'typeorm';

/** Column builders shared by migrations, matching src/db/columns.ts (UUIDv7 ids, epoch-ms times). */
export const id = (): TableColumnOptions => ({ name: 'id', type: 'varchar', length: '36', isPrimary: true });

export const idRef = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '36',
  isNullable: nullable,
});

export const timestamp = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'bigint',
  isNullable: nullable,
});

/**
 * MySQL/MariaDB: the binary collation that compares text as bytes and counts
 * trailing spaces (NO PAD where the server has it), for keys that must be
 * exact as SQLite compares them; utf8mb4_unicode_ci would equate "Bot",
 * "bot" and "Bót". Null on SQLite, which compares bytes already.
 */
export async function binaryCollation(queryRunner: QueryRunner): Promise<string | null> {
  if (!['mysql', 'mariadb'].includes(queryRunner.connection.options.type)) return null;
  const available = (await queryRunner.query(
    "SHOW COLLATION WHERE Collation IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')",
  )) as Array<{ Collation: string }>;
  const names = available.map((row) => row.Collation);
  if (names.includes('utf8mb4_nopad_bin')) return 'utf8mb4_nopad_bin';
  if (names.includes('utf8mb4_0900_bin')) return 'utf8mb4_0900_bin';
  return 'utf8mb4_bin';
}
