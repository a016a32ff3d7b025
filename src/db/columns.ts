import { Column, type ColumnOptions, PrimaryColumn, type ValueTransformer } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

/**
 * Times are stored as epoch milliseconds in BIGINT columns on both databases.
 * SQLite has no datetime type, and comparing and bucketing times as integers
 * with parameters computed in Node (e.g. "3 calendar months ago") keeps SQL
 * identical and exact on SQLite and MySQL alike.
 */
export const epochMs: ValueTransformer = {
  to: (value: Date | null | undefined) => (value == null ? value : value.getTime()),
  // mysql2 may hand BIGINT back as a string.
  from: (value: number | string | null) => (value == null ? null : new Date(Number(value))),
};

export function TimestampColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'bigint', transformer: epochMs });
}

/** UUIDv7 string ids: generated in the app, so batches know their ids before the INSERT; time-ordered for index locality. */
export function IdColumn(): PropertyDecorator {
  return PrimaryColumn({ type: 'varchar', length: 36 });
}

export function ForeignIdColumn(options: Omit<ColumnOptions, 'type' | 'length'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'varchar', length: 36 });
}

export const newId = (): string => uuidv7();

/** A BIGINT counter read as a number (mysql2 may hand BIGINT back as a string). */
export function SequenceColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}): PropertyDecorator {
  return Column({
    ...options,
    type: 'bigint',
    transformer: {
      to: (value: number | null | undefined) => value,
      from: (value: number | string | null) => (value == null ? null : Number(value)),
    },
  });
}
