import { In, MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { isMysql, isUniqueViolation, placeholders, selectEntities } from '../db/sql';
import { PersonEntity } from '../person/person.entity';
import type { FilterSetDef } from './filter.model';
import { DEFAULT_TIME_ZONE } from '../shared/time-zone';
import { compileFilterSet, type Sql } from './filter.sql';
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

  /** Throws NAME_TAKEN when the name is taken (the unique index settles concurrent creates with one name). */
  async insert(list: SmartListEntity): Promise<void> {
    await this.nameIsFree(list.name, () => this.lists.insert(list));
  }

  /** False when the workspace has no such list; throws NAME_TAKEN when another list has the name. */
  async update(
    workspaceId: string,
    id: string,
    changes: Pick<SmartListEntity, 'name' | 'nameKey' | 'description' | 'definition' | 'updatedAt'>,
  ): Promise<boolean> {
    const { affected } = await this.nameIsFree(changes.name, () => this.lists.update({ workspaceId, id }, changes));
    return (affected ?? 0) > 0;
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const { affected } = await this.lists.delete({ workspaceId, id });
    return (affected ?? 0) > 0;
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

  /** Only a definition with a time frame reads the workspace's time zone. */
  private async timeZone(workspaceId: string, definition: FilterSetDef): Promise<string> {
    return usesTimeFrame(definition) ? this.timeZoneOf(workspaceId) : DEFAULT_TIME_ZONE;
  }

  private async condition(workspaceId: string, definition: FilterSetDef, now: number): Promise<Sql> {
    const timeZone = await this.timeZone(workspaceId, definition);
    return compileFilterSet(definition, { now, timeZone, personId: 'p.id', mysql: this.mysql });
  }

  /** Members ordered by person id, keyset after `afterId`. */
  async members(
    list: SmartListEntity,
    options: { limit: number; afterId?: string | null; now: number },
  ): Promise<PersonEntity[]> {
    const condition = await this.condition(list.workspaceId, list.definition, options.now);
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
    const condition = await this.condition(list.workspaceId, list.definition, now);
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
    const timeZone = await this.timeZone(workspaceId, definition);
    const condition = compileFilterSet(definition, {
      now,
      timeZone,
      personId: 'p.id',
      excludeActivityIds,
      mysql: this.mysql,
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
    const conditions = await Promise.all(lists.map((list) => this.condition(workspaceId, list.definition, now)));
    const parts = lists.map((list, index) => {
      const condition = conditions[index];
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
