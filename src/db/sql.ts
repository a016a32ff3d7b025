import type { DataSource, EntityManager } from 'typeorm';

const dataSourceOf = (db: DataSource | EntityManager): DataSource => ('connection' in db ? db.connection : db);

/** MySQL/MariaDB (true) or SQLite (false): the few places where SQL differs ask this. */
export const isMysql = (db: DataSource | EntityManager): boolean => {
  const type = dataSourceOf(db).options.type;
  return type === 'mysql' || type === 'mariadb';
};

/** An INSERT that skips a row whose key exists (the existing row wins; affected rows tell which happened). */
export const insertOrIgnore = (db: DataSource | EntityManager): string =>
  isMysql(db) ? 'INSERT IGNORE' : 'INSERT OR IGNORE';

/** `?, ?, ?` for an IN list (callers bound lists; an empty list is their bug). */
export const placeholders = (count: number): string => Array(count).fill('?').join(', ');

/**
 * A LIKE pattern that matches `text` literally, lower-cased, for
 * `LOWER(col) LIKE ? ESCAPE '!'`. '!' rather than backslash: backslash is an
 * escape in MySQL string literals and not in SQLite's, so one pattern could
 * not serve both.
 */
export function likePattern(text: string, mode: 'contains' | 'startsWith' | 'endsWith'): string {
  const escaped = text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`);
  return mode === 'contains' ? `%${escaped}%` : mode === 'startsWith' ? `${escaped}%` : `%${escaped}`;
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

interface EntityReader {
  table: string;
  columns: string;
  /** The columns a row's primary key is read from (a LEFT JOIN that matched nothing leaves them NULL). */
  keyColumns: string[];
  hydrate(row: Record<string, unknown>): object;
}
const readers = new WeakMap<object, Map<string, EntityReader>>();

/**
 * Hot reads (a timeline page, a person) as plain SQL plus hydration from the
 * entity's own column metadata and transformers. TypeORM's query builder
 * spent more CPU building and mapping such a query than the database spent
 * running it (bench profile: 20 % of a timeline request); this keeps the
 * entity classes and their conversions without that cost.
 */
function readerFor<T extends object>(
  db: DataSource | EntityManager,
  entity: new () => T,
  alias: string,
  include: readonly string[],
  /** Result columns named `<alias>_<column>`, so several entities can share one row (selectJoined). */
  prefixed = false,
): EntityReader {
  const dataSource = dataSourceOf(db);
  const metadata = dataSource.getMetadata(entity);
  let byKey = readers.get(metadata);
  if (!byKey) readers.set(metadata, (byKey = new Map<string, EntityReader>()));
  const key = [prefixed ? `${alias}_` : alias, ...include].join(' ');
  let reader = byKey.get(key);
  if (!reader) {
    const driver = dataSource.driver;
    // As TypeORM's own reads: a `select: false` column (a large payload, a counter) only when asked for by name.
    const columns = metadata.columns.filter((column) => column.isSelect || include.includes(column.propertyName));
    const named = columns.map((column) => ({
      column,
      name: prefixed ? `${alias}_${column.databaseName}` : column.databaseName,
    }));
    reader = {
      table: metadata.tableName,
      columns: named.map(({ column, name }) => `${alias}.${column.databaseName} AS ${name}`).join(', '),
      keyColumns: named.filter(({ column }) => column.isPrimary).map(({ name }) => name),
      hydrate: (row) => {
        const target = metadata.create() as object;
        for (const { column, name } of named)
          column.setEntityValue(target, driver.prepareHydratedValue(row[name], column));
        return target;
      },
    };
    byKey.set(key, reader);
  }
  return reader;
}

/**
 * `SELECT <every column> FROM <the entity's table> <alias> <rest>`, rows
 * hydrated as entities; `include` names `select: false` properties to read too.
 */
export async function selectEntities<T extends object>(
  db: DataSource | EntityManager,
  entity: new () => T,
  alias: string,
  rest: string,
  params: unknown[],
  include: ReadonlyArray<keyof T & string> = [],
): Promise<T[]> {
  const reader = readerFor(db, entity, alias, include);
  const rows: Array<Record<string, unknown>> = await db.query(
    `SELECT ${reader.columns} FROM ${reader.table} ${alias} ${rest}`,
    params,
  );
  return rows.map((row) => reader.hydrate(row) as T);
}

/** One entity of a joined read: its class and the alias the query gives its table. */
export interface JoinedPart<T extends object = object> {
  entity: new () => T;
  alias: string;
}

type Hydrated<Parts extends readonly JoinedPart[]> = {
  [K in keyof Parts]: Parts[K] extends JoinedPart<infer T> ? T | null : never;
};

/**
 * `SELECT <every column of each part> <from>`: several entities read in one
 * query (a row and what it joins), each row hydrated as one entity per part,
 * null for a part its LEFT JOIN did not match. The query names the tables
 * (`from` holds FROM, the joins and the rest); the result columns are
 * `<alias>_<column>`, so parts never collide. A part's row that recurs (the
 * one side of a one-to-many join) is hydrated once and is the same object in
 * every row it appears in.
 */
export async function selectJoined<const Parts extends readonly JoinedPart[]>(
  db: DataSource | EntityManager,
  parts: Parts,
  from: string,
  params: unknown[],
): Promise<Array<Hydrated<Parts>>> {
  const readers = parts.map((part) => readerFor(db, part.entity, part.alias, [], true));
  const rows: Array<Record<string, unknown>> = await db.query(
    `SELECT ${readers.map((reader) => reader.columns).join(', ')} ${from}`,
    params,
  );
  const hydrated = readers.map(() => new Map<string, object>());
  return rows.map(
    (row) =>
      readers.map((reader, i) => {
        const key = reader.keyColumns.map((name) => row[name]);
        if (key.some((value) => value == null)) return null;
        const id = key.length === 1 ? String(key[0]) : JSON.stringify(key);
        let entity = hydrated[i].get(id);
        if (!entity) hydrated[i].set(id, (entity = reader.hydrate(row)));
        return entity;
      }) as Hydrated<Parts>,
  );
}
