import type { TableColumnOptions } from 'typeorm';

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
