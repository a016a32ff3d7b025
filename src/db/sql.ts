import type { DataSource, EntityManager } from 'typeorm';

/** MySQL/MariaDB (true) or SQLite (false): the few places where SQL differs ask this. */
export const isMysql = (db: DataSource | EntityManager): boolean => {
  const type = ('connection' in db ? db.connection : db).options.type;
  return type === 'mysql' || type === 'mariadb';
};

/** `?, ?, ?` for an IN list (callers bound lists; an empty list is their bug). */
export const placeholders = (count: number): string => Array(count).fill('?').join(', ');

/**
 * A LIKE pattern that matches `text` literally, lower-cased, for
 * `LOWER(col) LIKE ? ESCAPE '!'`. '!' rather than backslash: backslash is an
 * escape in MySQL string literals and not in SQLite's, so one pattern could
 * not serve both.
 */
export function likePattern(text: string, mode: 'contains' | 'startsWith'): string {
  const escaped = text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`);
  return mode === 'contains' ? `%${escaped}%` : `${escaped}%`;
}

export const LIKE_ESCAPE = "ESCAPE '!'";

/** A unique index refused the row (TypeORM wraps the driver's error in QueryFailedError.driverError). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Runs a statement in the transaction and returns how many rows it affected (TypeORM's structured result, both drivers). */
export async function execAffected(tx: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const result = await tx.queryRunner!.query(sql, params, true);
  return result.affected ?? 0;
}
