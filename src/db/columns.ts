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

/** BIGINT as a number (mysql2 may hand it back as a string); for counters and epoch-ms times kept as numbers. */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: number | string | null) => (value == null ? null : Number(value)),
};

/**
 * Epoch milliseconds as a plain number rather than a Date: for rows that ride
 * pub/sub payloads as JSON (campaigns and their runs), where a Date would
 * arrive as a string.
 */
export function EpochMsColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'bigint', transformer: bigintNumber });
}

/** A flag stored as INT 0/1 on both databases (SQLite has no boolean type). */
export function FlagColumn(options: Omit<ColumnOptions, 'type' | 'transformer' | 'default'> = {}): PropertyDecorator {
  return Column({
    ...options,
    type: 'int',
    default: 0,
    transformer: {
      to: (value: boolean | undefined) => (value === undefined ? value : value ? 1 : 0),
      from: (value: number | string) => Number(value) === 1,
    },
  });
}

/**
 * A JSON document, parsed on read and serialized on write (`parse` may
 * rebuild what is derived, e.g. a filter set's expression). TEXT unless
 * `type` says otherwise; on MySQL the TEXT columns of this schema are
 * MEDIUMTEXT, as 64 KB can be too little for a large definition or payload
 * (see alignEntityMetadata in db/entities.ts).
 */
export function JsonColumn<T>(
  options: Omit<ColumnOptions, 'transformer'> & {
    parse?: (raw: unknown) => T;
    serialize?: (value: T) => unknown;
  } = {},
): PropertyDecorator {
  const { parse = (raw: unknown) => raw as T, serialize = (value: T) => value, ...column } = options;
  return Column({
    type: 'text',
    ...column,
    transformer: {
      to: (value: T | null | undefined) => (value == null ? value : JSON.stringify(serialize(value))),
      from: (raw: string | null) => (raw == null ? null : parse(JSON.parse(raw))),
    },
  } as ColumnOptions);
}

/** A BIGINT counter read as a number. */
export function SequenceColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'bigint', transformer: bigintNumber });
}
