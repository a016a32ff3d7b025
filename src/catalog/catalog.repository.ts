import type { DataSource, EntityManager } from 'typeorm';
import type { ChatKind } from '../activity/activity.entity';
import { isMysql, LIKE_ESCAPE, likePattern, placeholders, selectEntities } from '../db/sql';
import { CatalogEntryEntity } from './catalog.entity';
import { CatalogType, type CatalogKey } from './catalog.model';

type Db = DataSource | EntityManager;

const COLUMNS = 'workspace_id, entry_type, widget_id, chat_kind, name, name_key, url, created_at, updated_at';
const TUPLE = `(${placeholders(9)})`;

/** Keys in one order for every transaction, so concurrent ones lock the same rows in the same order. */
const byKey = (a: CatalogKey, b: CatalogKey): number =>
  a.type === b.type ? (a.widgetId < b.widgetId ? -1 : a.widgetId > b.widgetId ? 1 : 0) : a.type < b.type ? -1 : 1;

const values = (entry: CatalogEntryEntity): unknown[] => [
  entry.workspaceId,
  entry.type,
  entry.widgetId,
  entry.chatKind,
  entry.name,
  entry.nameKey,
  entry.url,
  entry.createdAt.getTime(),
  entry.updatedAt.getTime(),
];

/** The catalog_entry table's SQL: the recording transaction's two steps, the per-request lookups and the pickers. */
export class CatalogRepository {
  private readonly mysql: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.mysql = isMysql(dataSource);
  }

  /** The kinds of these chats, for those that exist. A kind never changes, so a plain read is enough. */
  async chatKinds(db: Db, workspaceId: string, widgetIds: readonly string[]): Promise<Map<string, ChatKind>> {
    if (widgetIds.length === 0) return new Map();
    const rows: Array<{ widget_id: string; chat_kind: ChatKind }> = await db.query(
      `SELECT widget_id, chat_kind FROM catalog_entry WHERE workspace_id = ? AND entry_type = ? AND widget_id IN (${placeholders(widgetIds.length)})`,
      [workspaceId, CatalogType.CHAT, ...widgetIds],
    );
    return new Map(rows.map((row) => [row.widget_id, row.chat_kind]));
  }

  /**
   * Creates these chats where they do not exist yet; one that does (a
   * concurrent first activity's) is left as it is. On MySQL the no-op
   * update makes the statement lock an existing row exclusively, where
   * INSERT IGNORE would take a shared lock that the name update later in
   * the transaction would have to upgrade: two transactions doing that
   * deadlock.
   */
  async createChats(tx: EntityManager, entries: readonly CatalogEntryEntity[]): Promise<void> {
    if (entries.length === 0) return;
    const sorted = [...entries].sort(byKey);
    const conflict = this.mysql
      ? 'ON DUPLICATE KEY UPDATE chat_kind = chat_kind'
      : 'ON CONFLICT (workspace_id, entry_type, widget_id) DO NOTHING';
    await tx.query(
      `INSERT INTO catalog_entry (${COLUMNS}) VALUES ${sorted.map(() => TUPLE).join(', ')} ${conflict}`,
      sorted.flatMap(values),
    );
  }

  /**
   * Creates the entries or gives them these names (and urls), each only if
   * its `updatedAt` is not older than the stored one's: the latest recorded
   * wins whatever order concurrent transactions commit in. One statement,
   * rows in key order (see byKey). Atomic per row, so no update is lost.
   */
  async upsertNames(tx: EntityManager, entries: readonly CatalogEntryEntity[]): Promise<void> {
    if (entries.length === 0) return;
    const sorted = [...entries].sort(byKey);
    // MySQL evaluates the assignments in order, each seeing the ones before: updated_at goes last.
    const update = this.mysql
      ? `ON DUPLICATE KEY UPDATE ${['name', 'name_key', 'url'].map((c) => `${c} = IF(VALUES(updated_at) >= updated_at, VALUES(${c}), ${c})`).join(', ')}, updated_at = GREATEST(updated_at, VALUES(updated_at))`
      : `ON CONFLICT (workspace_id, entry_type, widget_id) DO UPDATE SET ${['name', 'name_key', 'url'].map((c) => `${c} = CASE WHEN excluded.updated_at >= catalog_entry.updated_at THEN excluded.${c} ELSE catalog_entry.${c} END`).join(', ')}, updated_at = MAX(catalog_entry.updated_at, excluded.updated_at)`;
    await tx.query(
      `INSERT INTO catalog_entry (${COLUMNS}) VALUES ${sorted.map(() => TUPLE).join(', ')} ${update}`,
      sorted.flatMap(values),
    );
  }

  /** Entries by key: one query whatever the mix of types. */
  async getMany(workspaceId: string, keys: readonly CatalogKey[]): Promise<CatalogEntryEntity[]> {
    if (keys.length === 0) return [];
    const types = [...new Set(keys.map((key) => key.type))];
    const where = types.map((type) => {
      const ids = [...new Set(keys.filter((key) => key.type === type).map((key) => key.widgetId))];
      return { text: `(c.entry_type = ? AND c.widget_id IN (${placeholders(ids.length)}))`, params: [type, ...ids] };
    });
    return selectEntities(
      this.dataSource,
      CatalogEntryEntity,
      'c',
      `WHERE c.workspace_id = ? AND (${where.map((w) => w.text).join(' OR ')})`,
      [workspaceId, ...where.flatMap((w) => w.params)],
    );
  }

  /**
   * One type's entries in name order (lower-cased, then widget id), after
   * the keyset position `after`, optionally only names starting with
   * `prefix` (lower-cased by the caller). A range of idx_catalog_entry_name.
   */
  async list(
    workspaceId: string,
    type: CatalogType,
    options: { limit: number; after: { nameKey: string; widgetId: string } | null; prefix: string | null },
  ): Promise<CatalogEntryEntity[]> {
    const where = ['c.workspace_id = ?', 'c.entry_type = ?'];
    const params: unknown[] = [workspaceId, type];
    if (options.prefix) {
      // The range lets both databases seek to the prefix; LIKE decides (the upper bound is only a hint).
      where.push(`c.name_key >= ?`, `c.name_key LIKE ? ${LIKE_ESCAPE}`);
      params.push(options.prefix, likePattern(options.prefix, 'startsWith'));
      const upper = prefixUpperBound(options.prefix);
      if (upper !== null) {
        where.push('c.name_key < ?');
        params.push(upper);
      }
    }
    if (options.after) {
      where.push('c.name_key >= ? AND (c.name_key > ? OR (c.name_key = ? AND c.widget_id > ?))');
      const { nameKey, widgetId } = options.after;
      params.push(nameKey, nameKey, nameKey, widgetId);
    }
    return selectEntities(
      this.dataSource,
      CatalogEntryEntity,
      'c',
      `WHERE ${where.join(' AND ')} ORDER BY c.name_key, c.widget_id LIMIT ?`,
      [...params, options.limit],
    );
  }
}

/**
 * The smallest string greater than every string starting with `prefix`, in
 * code point order (which is UTF-8 byte order, how both databases compare
 * these columns): the prefix with its last code point incremented. Null when
 * there is none to give (the last code point is the highest, or its
 * successor is a surrogate).
 */
export function prefixUpperBound(prefix: string): string | null {
  const points = [...prefix];
  const last = points.pop();
  if (last === undefined) return null;
  const next = last.codePointAt(0)! + 1;
  if (next > 0x10ffff || (next >= 0xd800 && next <= 0xdfff)) return null;
  return points.join('') + String.fromCodePoint(next);
}
