import type { DataSource, EntityManager } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { CatalogEntryEntity } from '../catalog/catalog.entity';
import { CatalogType } from '../catalog/catalog.model';
import { execAffected, isMysql, placeholders, selectEntities, selectJoined } from '../db/sql';
import { PersonEntity } from '../person/person.entity';
import { ActivityEntity, type ChatActivityType } from './activity.entity';

/** A keyset position in a person's timeline: an activity's (occurredAt in epoch ms, id). */
export interface TimelinePosition {
  occurredAt: number;
  id: string;
}

export interface TimelineFilter {
  types?: ChatActivityType[] | null;
  chatIds?: string[] | null;
  since?: Date | null;
  until?: Date | null;
}

/** What a timeline page asks for: how many rows, between which positions, from which end, which activities. */
export interface TimelinePage {
  limit: number;
  after: TimelinePosition | null;
  before?: TimelinePosition | null;
  fromEnd?: boolean;
  filter?: TimelineFilter | null;
}

/** The activity table's SQL: the write path's statements, the timeline and the workspace stream. */
export class ActivityRepository {
  private columns?: ColumnMetadata[];
  private readonly mysql: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.mysql = isMysql(dataSource);
  }

  // ------------------------------------------------------------ write path

  /**
   * One multi-row INSERT-or-ignore, returning how many rows were stored: the
   * unique indexes (once per session, clientEventId) decide, even between
   * concurrent calls. Written by hand rather than through the query builder:
   * it is the hot path, and the builder's per-value work dominated batches.
   */
  async insertIgnore(tx: EntityManager, rows: readonly ActivityEntity[]): Promise<number> {
    const columns = (this.columns ??= tx.connection.getMetadata(ActivityEntity).columns);
    const values: unknown[] = [];
    for (const row of rows) for (const column of columns) values.push(column.getEntityValue(row, true) ?? null);
    const tuple = `(${placeholders(columns.length)})`;
    const sql = `INSERT ${this.mysql ? 'IGNORE' : 'OR IGNORE'} INTO activity (${columns.map((c) => c.databaseName).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`;
    return execAffected(tx, sql, values);
  }

  /** Which of these ids were stored (after an INSERT-or-ignore that did not store them all). */
  async storedIds(tx: EntityManager, ids: readonly string[]): Promise<Set<string>> {
    const rows: Array<{ id: string }> = await tx.query(
      `SELECT id FROM activity WHERE id IN (${placeholders(ids.length)})`,
      ids,
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The stored activities that refused these rows: by clientEventId, and by once-per-session key. */
  async findExisting(
    tx: EntityManager,
    workspaceId: string,
    rows: readonly ActivityEntity[],
  ): Promise<{ byClientEventId: Map<string, ActivityEntity>; byOnceKey: Map<string, ActivityEntity> }> {
    const clientEventIds = [...new Set(rows.map((r) => r.clientEventId).filter((v): v is string => !!v))];
    const onceKeys = [...new Set(rows.map((r) => r.onceKey).filter((v): v is string => !!v))];
    const [byClient, byOnce] = await Promise.all([
      clientEventIds.length
        ? selectEntities(
            tx,
            ActivityEntity,
            'a',
            `WHERE a.workspace_id = ? AND a.client_event_id IN (${placeholders(clientEventIds.length)})`,
            [workspaceId, ...clientEventIds],
          )
        : [],
      onceKeys.length
        ? selectEntities(
            tx,
            ActivityEntity,
            'a',
            `WHERE a.workspace_id = ? AND a.once_key IN (${placeholders(onceKeys.length)})`,
            [workspaceId, ...onceKeys],
          )
        : [],
    ]);
    return {
      byClientEventId: new Map(byClient.map((r) => [r.clientEventId!, r])),
      byOnceKey: new Map(byOnce.map((r) => [r.onceKey!, r])),
    };
  }

  /**
   * Gives the stored rows their stream positions, in order: the next ones
   * after the workspace's head. The head row stays locked until the caller's
   * transaction commits, so the positions of concurrent transactions commit
   * in the order they were given and none is ever skipped. Called last in the
   * recording transaction, so the lock is held for as short a time as possible.
   */
  async assignStreamPositions(tx: EntityManager, workspaceId: string, rows: readonly ActivityEntity[]): Promise<void> {
    if (rows.length === 0) return;
    const count = rows.length;
    let last: number;
    if (this.mysql) {
      // LAST_INSERT_ID(expr) hands the new head back in the statement's own answer: no second round trip.
      const result = await tx.query<{ insertId: number | string }>(
        'INSERT INTO activity_stream_head (workspace_id, seq) VALUES (?, LAST_INSERT_ID(?)) ON DUPLICATE KEY UPDATE seq = LAST_INSERT_ID(seq + ?)',
        [workspaceId, count, count],
      );
      last = Number(result.insertId);
    } else {
      const [head] = await tx.query<Array<{ seq: number | string }>>(
        'INSERT INTO activity_stream_head (workspace_id, seq) VALUES (?, ?) ON CONFLICT (workspace_id) DO UPDATE SET seq = seq + excluded.seq RETURNING seq',
        [workspaceId, count],
      );
      last = Number(head.seq);
    }
    const first = last - count + 1;
    rows.forEach((row, i) => (row.streamSeq = first + i));
    const cases = rows.map(() => 'WHEN ? THEN ?').join(' ');
    await tx.query(`UPDATE activity SET stream_seq = CASE id ${cases} END WHERE id IN (${placeholders(count)})`, [
      ...rows.flatMap((row) => [row.id, row.streamSeq]),
      ...rows.map((row) => row.id),
    ]);
  }

  // ------------------------------------------------------------ reads

  async get(workspaceId: string, id: string): Promise<ActivityEntity | null> {
    const [row] = await selectEntities(this.dataSource, ActivityEntity, 'a', 'WHERE a.workspace_id = ? AND a.id = ?', [
      workspaceId,
      id,
    ]);
    return row ?? null;
  }

  /** Batch load for DataLoaders, in key order. */
  async getMany(workspaceId: string, ids: readonly string[]): Promise<Array<ActivityEntity | null>> {
    const unique = [...new Set(ids)];
    const rows = await selectEntities(
      this.dataSource,
      ActivityEntity,
      'a',
      `WHERE a.workspace_id = ? AND a.id IN (${placeholders(unique.length)})`,
      [workspaceId, ...unique],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /**
   * A page of a person's activities, which are ordered newest first by
   * (occurredAt, id): those between the keyset positions `after` (older
   * than it) and `before` (newer than it), `limit` of them from the newest
   * end (`fromEnd` false: the first ones) or from the oldest (`fromEnd`
   * true: the last ones, for a backward page; still returned newest first).
   * Either way one range scan of idx_activity_person_time, in the direction
   * of the page, so a page costs the same at page 1 and page 1000.
   */
  async timeline(personId: string, options: TimelinePage): Promise<ActivityEntity[]> {
    const page = this.pageQuery(personId, options);
    const rows = await selectEntities(this.dataSource, ActivityEntity, 'a', page.rest, page.params);
    return options.fromEnd ? rows.reverse() : rows;
  }

  /**
   * The person (in the workspace) and a page of its timeline, as `timeline`
   * reads it, with the current catalog entry of each activity's chat: one
   * query, so a timeline request is one round trip to the database. The
   * person is null when the workspace has no such person (and then there is
   * no page either).
   */
  async personPage(
    workspaceId: string,
    personId: string,
    options: TimelinePage,
  ): Promise<{
    person: PersonEntity | null;
    activities: ActivityEntity[];
    /** By chat id, null for a chat with no catalog entry. */
    chats: Map<string, CatalogEntryEntity | null>;
  }> {
    const page = this.pageQuery(personId, options);
    // The page is a derived table (its own ORDER BY and LIMIT, the same range scan); the person's row joins it.
    const rows = await selectJoined(
      this.dataSource,
      [
        { entity: PersonEntity, alias: 'p' },
        { entity: ActivityEntity, alias: 'a' },
        { entity: CatalogEntryEntity, alias: 'c' },
      ] as const,
      `FROM person p
        LEFT JOIN (SELECT a.* FROM activity a ${page.rest}) a ON a.person_id = p.id
        LEFT JOIN catalog_entry c ON c.workspace_id = p.workspace_id AND c.entry_type = ? AND c.widget_id = a.chat_id
        WHERE p.workspace_id = ? AND p.id = ?
        ORDER BY ${page.order}`,
      [...page.params, CatalogType.CHAT, workspaceId, personId],
    );
    const activities: ActivityEntity[] = [];
    const chats = new Map<string, CatalogEntryEntity | null>();
    for (const [, activity, chat] of rows) {
      if (!activity) continue;
      activities.push(activity);
      chats.set(activity.chatId, chat);
    }
    if (options.fromEnd) activities.reverse();
    return { person: rows[0]?.[0] ?? null, activities, chats };
  }

  /** What follows `FROM activity a` for a timeline page (index hint, bounds, order, limit), and its order alone. */
  private pageQuery(personId: string, options: TimelinePage): { rest: string; order: string; params: unknown[] } {
    const where = ['a.person_id = ?'];
    const params: unknown[] = [personId];
    const filter = options.filter;
    if (filter?.types?.length) {
      where.push(`a.type IN (${placeholders(filter.types.length)})`);
      params.push(...filter.types);
    }
    if (filter?.chatIds?.length) {
      where.push(`a.chat_id IN (${placeholders(filter.chatIds.length)})`);
      params.push(...filter.chatIds);
    }
    if (filter?.since) {
      where.push('a.occurred_at >= ?');
      params.push(filter.since.getTime());
    }
    if (filter?.until) {
      where.push('a.occurred_at < ?');
      params.push(filter.until.getTime());
    }
    // Each bound's first comparison is implied by the second; it is there so SQLite, which plans no range from an
    // OR, starts (or ends) the index scan at the cursor instead of at the person's newest (or oldest) activity.
    if (options.after) {
      const { occurredAt, id } = options.after;
      where.push('a.occurred_at <= ? AND (a.occurred_at < ? OR (a.occurred_at = ? AND a.id < ?))');
      params.push(occurredAt, occurredAt, occurredAt, id);
    }
    if (options.before) {
      const { occurredAt, id } = options.before;
      where.push('a.occurred_at >= ? AND (a.occurred_at > ? OR (a.occurred_at = ? AND a.id > ?))');
      params.push(occurredAt, occurredAt, occurredAt, id);
    }
    // One range scan of idx_activity_person_time from the cursor, named in the query. Left to choose, MariaDB may
    // read the person's index from the newest entry and fetch every row until it passes the cursor (a bulk-loaded
    // person with many activities was two orders of magnitude slower at page 1000; BENCHMARKS.md). A deferred
    // join (ids first, then rows by key) also avoided that but cost MariaDB more per page than the hinted scan.
    // SQLite spells the hint INDEXED BY; both fail loudly if the index goes away.
    const hint = this.mysql ? 'FORCE INDEX (idx_activity_person_time)' : 'INDEXED BY idx_activity_person_time';
    const order = options.fromEnd ? 'a.occurred_at ASC, a.id ASC' : 'a.occurred_at DESC, a.id DESC';
    return {
      rest: `${hint} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`,
      order,
      params: [...params, options.limit],
    };
  }

  /** The workspace stream's last position (0 before its first activity). */
  async streamHead(workspaceId: string): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ seq: number | string }>>(
      'SELECT seq FROM activity_stream_head WHERE workspace_id = ?',
      [workspaceId],
    );
    return row ? Number(row.seq) : 0;
  }

  /** The workspace's activities (one person's, when given) with afterSeq < position < beforeSeq, in stream order. */
  async streamBetween(
    workspaceId: string,
    personId: string | null,
    afterSeq: number,
    beforeSeq: number | null,
    limit: number,
  ): Promise<ActivityEntity[]> {
    const where = ['a.workspace_id = ?', 'a.stream_seq > ?'];
    const params: unknown[] = [workspaceId, afterSeq];
    if (beforeSeq !== null) {
      where.push('a.stream_seq < ?');
      params.push(beforeSeq);
    }
    if (personId !== null) {
      where.push('a.person_id = ?');
      params.push(personId);
    }
    return selectEntities(
      this.dataSource,
      ActivityEntity,
      'a',
      `WHERE ${where.join(' AND ')} ORDER BY a.stream_seq LIMIT ?`,
      [...params, limit],
    );
  }
}
