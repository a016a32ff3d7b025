import { In, MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { isMysql, isUniqueViolation, placeholders, selectEntities } from '../db/sql';
import { inTransaction } from '../db/transaction';
import { PersonEntity } from '../person/person.entity';
import type { FilterLogic, FilterSetDef } from './filter.model';
import { restoreFilterSet } from './filter.parser';
import { compileFilterSet, type Sql } from './filter.sql';
import { type AnyFilterDef, MAX_LIST_NESTING, referencedListIds } from './person-filter.model';
import { DEFAULT_TIME_ZONE } from '../shared/time-zone';
import { usesTimeFrame } from './time-frame';
import { SmartListEntity } from './smart-list.entity';
import { smartListNameTaken } from './smart-list.errors';

/** Person.smartLists evaluates this many lists per UNION ALL query. */
const LISTS_PER_MEMBERSHIP_QUERY = 50;
/** Groups stay under both databases' bound-parameter limits (SQLite's is the lower, 32766). */
const MAX_PARAMS_PER_QUERY = 30_000;

/**
 * The SQL of smart lists. Definitions go through TypeORM's repository API;
 * membership runs a list's compiled filter set (filter.sql.ts, one SQL
 * condition per person) in plain SQL, people hydrated as entities.
 */
export class SmartListRepository {
  private readonly mysql: boolean;
  private readonly countParallelism: number;
  private readonly timeZoneOf: (workspaceId: string) => Promise<string>;

  constructor(
    private readonly dataSource: DataSource,
    options: {
      countParallelism?: number;
      /** The workspace's IANA time zone, for inTimeFrame (default: UTC everywhere). */
      timeZoneOf?: (workspaceId: string) => Promise<string>;
    } = {},
  ) {
    this.mysql = isMysql(dataSource);
    this.timeZoneOf = options.timeZoneOf ?? (() => Promise.resolve(DEFAULT_TIME_ZONE));
    // SQLite has one connection: splitting would only queue the parts.
    this.countParallelism = this.mysql ? Math.max(1, options.countParallelism ?? 1) : 1;
  }

  private get lists() {
    return this.dataSource.getRepository(SmartListEntity);
  }

  // ------------------------------------------------------------ definitions

  async count(workspaceId: string): Promise<number> {
    return this.lists.count({ where: { workspaceId } });
  }

  /**
   * A write of definitions: `work` gets the workspace's lists, locked on
   * MySQL until the commit (SQLite runs one transaction at a time), so the
   * rules that span lists (membership-graph.ts) are checked against what is
   * there when the write commits.
   */
  async writing<T>(workspaceId: string, work: (tx: EntityManager, lists: SmartListEntity[]) => Promise<T>): Promise<T> {
    return inTransaction(this.dataSource, async (tx) => {
      const lists = await tx.getRepository(SmartListEntity).find({
        where: { workspaceId },
        order: { id: 'ASC' },
        ...(this.mysql ? { lock: { mode: 'pessimistic_write' as const } } : {}),
      });
      return work(tx, lists);
    });
  }

  /** Throws NAME_TAKEN when the name is taken (the unique index settles concurrent creates with one name). */
  async insert(tx: EntityManager, list: SmartListEntity): Promise<void> {
    await this.nameIsFree(list.name, () => tx.getRepository(SmartListEntity).insert(list));
  }

  /** False when the workspace has no such list; throws NAME_TAKEN when another list has the name. */
  async update(
    tx: EntityManager,
    workspaceId: string,
    id: string,
    changes: Pick<SmartListEntity, 'name' | 'nameKey' | 'description' | 'definition' | 'updatedAt'>,
  ): Promise<boolean> {
    const { affected } = await this.nameIsFree(changes.name, () =>
      tx.getRepository(SmartListEntity).update({ workspaceId, id }, changes),
    );
    return (affected ?? 0) > 0;
  }

  async delete(tx: EntityManager, workspaceId: string, id: string): Promise<boolean> {
    const { affected } = await tx.getRepository(SmartListEntity).delete({ workspaceId, id });
    return (affected ?? 0) > 0;
  }

  /**
   * Campaigns whose filters name one of these lists, with those filters. The
   * ids are UUIDs (no LIKE wildcards), so a text match on the stored JSON
   * finds the candidates and parsing settles them.
   */
  async campaignsNaming(
    db: EntityManager,
    workspaceId: string,
    listIds: readonly string[],
  ): Promise<Array<{ id: string; name: string; filters: FilterSetDef }>> {
    if (listIds.length === 0) return [];
    const rows: Array<{ id: string; name: string; definition: string }> = await db.query(
      `SELECT id, name, definition FROM campaign WHERE workspace_id = ? AND (${listIds.map(() => 'definition LIKE ?').join(' OR ')})`,
      [workspaceId, ...listIds.map((id) => `%${id}%`)],
    );
    return rows.flatMap((row) => {
      const definition = JSON.parse(row.definition) as {
        filterLogic: FilterLogic;
        advancedLogic: string | null;
        filters: AnyFilterDef[];
      };
      const named = referencedListIds(definition.filters).some((id) => listIds.includes(id));
      if (!named) return [];
      const { filterLogic: logic, advancedLogic, filters } = definition;
      return [{ id: row.id, name: row.name, filters: restoreFilterSet({ logic, advancedLogic, filters }) }];
    });
  }

  /** Locks these lists until the commit (MySQL; SQLite runs one transaction at a time): a delete waits for it. */
  async lockLists(tx: EntityManager, workspaceId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0 || !this.mysql) return;
    await tx.query(
      `SELECT id FROM smart_list WHERE workspace_id = ? AND id IN (${placeholders(ids.length)}) ORDER BY id FOR UPDATE`,
      [workspaceId, ...ids],
    );
  }

  /** Which of these campaign ids are campaigns of the workspace. */
  async existingCampaignIds(db: EntityManager, workspaceId: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: Array<{ id: string }> = await db.query(
      `SELECT id FROM campaign WHERE workspace_id = ? AND id IN (${placeholders(ids.length)})`,
      [workspaceId, ...ids],
    );
    return new Set(rows.map((row) => row.id));
  }

  async get(workspaceId: string, id: string): Promise<SmartListEntity | null> {
    return this.lists.findOne({ where: { workspaceId, id } });
  }

  async getMany(workspaceId: string, ids: readonly string[]): Promise<SmartListEntity[]> {
    return ids.length === 0 ? [] : this.lists.find({ where: { workspaceId, id: In([...new Set(ids)]) } });
  }

  /** Ordered by id (creation order), keyset after `afterId`. */
  async list(workspaceId: string, options: { limit: number; afterId?: string | null }): Promise<SmartListEntity[]> {
    return this.lists.find({
      where: options.afterId ? { workspaceId, id: MoreThan(options.afterId) } : { workspaceId },
      order: { id: 'ASC' },
      take: options.limit,
    });
  }

  async all(workspaceId: string): Promise<SmartListEntity[]> {
    return this.lists.find({ where: { workspaceId }, order: { id: 'ASC' } });
  }

  private async nameIsFree<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (isUniqueViolation(err)) throw smartListNameTaken(name);
      throw err;
    }
  }

  // ------------------------------------------------------------- membership

  /**
   * The definitions of the lists a definition names, transitively: a
   * primary-key read per level of nesting (none for a definition without
   * memberOfSmartList), so the membership query itself stays one query.
   */
  async nestedLists(
    db: EntityManager | DataSource,
    workspaceId: string,
    definition: FilterSetDef,
  ): Promise<Map<string, FilterSetDef>> {
    const lists = new Map<string, FilterSetDef>();
    let wanted = referencedListIds(definition.filters);
    for (let level = 0; level < MAX_LIST_NESTING && wanted.length > 0; level++) {
      const rows = await db.getRepository(SmartListEntity).find({ where: { workspaceId, id: In(wanted) } });
      for (const row of rows) lists.set(row.id, row.definition);
      wanted = [...new Set(rows.flatMap((row) => referencedListIds(row.definition.filters)))].filter(
        (id) => !lists.has(id),
      );
    }
    return lists;
  }

  /** Only a definition with a time frame, its own or a nested list's, reads the workspace's time zone. */
  private async timeZone(workspaceId: string, definitions: Iterable<FilterSetDef>): Promise<string> {
    for (const definition of definitions) if (usesTimeFrame(definition)) return this.timeZoneOf(workspaceId);
    return DEFAULT_TIME_ZONE;
  }

  private async condition(list: SmartListEntity, now: number): Promise<Sql> {
    const lists = await this.nestedLists(this.dataSource, list.workspaceId, list.definition);
    const timeZone = await this.timeZone(list.workspaceId, [list.definition, ...lists.values()]);
    return compileFilterSet(list.definition, { now, timeZone, personId: 'p.id', mysql: this.mysql, lists });
  }

  /** Members ordered by person id, keyset after `afterId`. */
  async members(
    list: SmartListEntity,
    options: { limit: number; afterId?: string | null; now: number },
  ): Promise<PersonEntity[]> {
    const condition = await this.condition(list, options.now);
    return selectEntities(
      this.dataSource,
      PersonEntity,
      'p',
      `WHERE p.workspace_id = ? AND (${condition.text})${options.afterId ? ' AND p.id > ?' : ''} ORDER BY p.id LIMIT ?`,
      [list.workspaceId, ...condition.params, ...(options.afterId ? [options.afterId] : []), options.limit],
    );
  }

  /**
   * Counting a large workspace is one long query per list, and MariaDB runs a
   * query on one core: on MySQL the people are split into `countParallelism`
   * disjoint shares by a hash of their id (every share scans the workspace's
   * person index, which is cheap; the filter probes, which are not, run once
   * per person in total) and the shares are counted concurrently.
   */
  async memberCount(list: SmartListEntity, now: number): Promise<number> {
    const condition = await this.condition(list, now);
    const parts = this.countParallelism;
    const count = async (share: string, shareParams: unknown[]): Promise<number> => {
      const [row]: Array<{ n: number | string }> = await this.dataSource.query(
        `SELECT COUNT(*) AS n FROM person p WHERE p.workspace_id = ?${share} AND ${condition.text}`,
        [list.workspaceId, ...shareParams, ...condition.params],
      );
      return Number(row.n);
    };
    if (parts === 1) return count('', []);
    const counts = await Promise.all(
      Array.from({ length: parts }, (_, part) => count(' AND CRC32(p.id) % ? = ?', [parts, part])),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  }

  /** Whether one person passes a filter set, in the caller's transaction when it has one. */
  async passes(
    tx: EntityManager | undefined,
    workspaceId: string,
    personId: string,
    definition: FilterSetDef,
    now: number,
    excludeActivityIds: readonly string[] = [],
  ): Promise<boolean> {
    const db = tx ?? this.dataSource.manager;
    const lists = await this.nestedLists(db, workspaceId, definition);
    const timeZone = await this.timeZone(workspaceId, [definition, ...lists.values()]);
    const condition = compileFilterSet(definition, {
      now,
      timeZone,
      personId: 'p.id',
      excludeActivityIds,
      mysql: this.mysql,
      lists,
    });
    const rows: unknown[] = await db.query(
      `SELECT 1 AS hit FROM person p WHERE p.workspace_id = ? AND p.id = ? AND ${condition.text}`,
      [workspaceId, personId, ...condition.params],
    );
    return rows.length > 0;
  }

  /**
   * For each person, the indexes (in `lists`) of the lists it is a member of:
   * one UNION ALL query per group of lists for the whole batch of people.
   */
  async membership(
    workspaceId: string,
    lists: readonly SmartListEntity[],
    personIds: readonly string[],
    now: number,
  ): Promise<Map<string, Set<number>>> {
    const hits = new Map<string, Set<number>>();
    // `lists` is every list of the workspace: the nested ones are among them.
    const definitions = new Map(lists.map((list) => [list.id, list.definition]));
    const timeZone = await this.timeZone(workspaceId, definitions.values());
    const parts = lists.map((list, index) => {
      const condition = compileFilterSet(list.definition, {
        now,
        timeZone,
        personId: 'p.id',
        mysql: this.mysql,
        lists: definitions,
      });
      return {
        // The list's index is an integer literal from this loop, never input.
        text: `SELECT ${index} AS list_index, p.id AS person_id FROM person p WHERE p.workspace_id = ? AND p.id IN (${placeholders(personIds.length)}) AND ${condition.text}`,
        params: [workspaceId, ...personIds, ...condition.params],
      };
    });
    const groups: Array<typeof parts> = [];
    for (const part of parts) {
      const group = groups[groups.length - 1];
      const groupParams = group?.reduce((sum, p) => sum + p.params.length, 0) ?? 0;
      if (
        group &&
        group.length < LISTS_PER_MEMBERSHIP_QUERY &&
        groupParams + part.params.length <= MAX_PARAMS_PER_QUERY
      )
        group.push(part);
      else groups.push([part]);
    }
    for (const group of groups) {
      const rows: Array<{ list_index: number | string; person_id: string }> = await this.dataSource.query(
        group.map((part) => part.text).join(' UNION ALL '),
        group.flatMap((part) => part.params),
      );
      for (const row of rows) {
        const set = hits.get(row.person_id) ?? new Set<number>();
        set.add(Number(row.list_index));
        hits.set(row.person_id, set);
      }
    }
    return hits;
  }
}
