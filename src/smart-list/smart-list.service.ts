import type { DataSource, EntityManager } from 'typeorm';
import { newId } from '../db/columns';
import { isMysql, isUniqueViolation, placeholders } from '../db/sql';
import { parseNameAndDescription } from '../shared/definition-fields';
import { PersonEntity } from '../person/person.entity';
import { type FilterDef, FilterLogic, type FilterSetDef } from './filter.model';
import { parseFilterSet, restoreFilterSet, type StoredFilterSet } from './filter.parser';
import { compileFilterSet, type Sql } from './filter.sql';
import { SmartListEntity } from './smart-list.entity';
import { smartListNameTaken, smartListNotFound, tooManySmartLists } from './smart-list.errors';

export const MAX_SMART_LISTS_PER_WORKSPACE = 500;
/** Person.smartLists evaluates this many lists per UNION ALL query. */
const LISTS_PER_MEMBERSHIP_QUERY = 50;
const MAX_PARAMS_PER_QUERY = 30_000;

export interface SmartListInputShape {
  name: string;
  description?: string | null;
  logic?: unknown;
  advancedLogic?: unknown;
  filters?: unknown;
}

export interface SmartListRecord {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  definition: FilterSetDef;
  createdAt: Date;
  updatedAt: Date;
}

const toRecord = (entity: SmartListEntity): SmartListRecord => ({
  id: entity.id,
  workspaceId: entity.workspaceId,
  name: entity.name,
  description: entity.description,
  definition: restoreFilterSet(JSON.parse(entity.definition) as StoredFilterSet),
  createdAt: entity.createdAt,
  updatedAt: entity.updatedAt,
});

/** `?` placeholders to TypeORM named parameters, for conditions joined into a QueryBuilder. */
function named(sql: Sql, prefix: string): { text: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = {};
  let i = 0;
  const text = sql.text.replace(/\?/g, () => {
    const name = `${prefix}${i}`;
    params[name] = sql.params[i];
    i += 1;
    return `:${name}`;
  });
  return { text, params };
}

/**
 * Smart lists: definitions, and membership evaluated in the database from
 * the activities at the time asked (`now`), one SQL query per question.
 * Callers that ask several questions about one list in one request pass the
 * same `now`, so members, memberCount and includes agree.
 */
export class SmartListService {
  private readonly mysql: boolean;
  private readonly countParallelism: number;

  constructor(
    private readonly dataSource: DataSource,
    options: { countParallelism?: number } = {},
  ) {
    this.mysql = isMysql(dataSource);
    // SQLite has one connection: splitting would only queue the parts.
    this.countParallelism = this.mysql ? Math.max(1, options.countParallelism ?? 1) : 1;
  }

  // ------------------------------------------------------------ definitions

  private parseInput(input: SmartListInputShape): {
    name: string;
    description: string | null;
    definition: FilterSetDef;
  } {
    return { ...parseNameAndDescription(input), definition: parseFilterSet(input, ['input']) };
  }

  private static stored(definition: FilterSetDef): string {
    const stored: StoredFilterSet = {
      logic: definition.logic,
      advancedLogic: definition.advancedLogic,
      filters: definition.filters,
    };
    return JSON.stringify(stored);
  }

  async create(workspaceId: string, input: SmartListInputShape): Promise<SmartListRecord> {
    const parsed = this.parseInput(input);
    const repo = this.dataSource.getRepository(SmartListEntity);
    if ((await repo.count({ where: { workspaceId } })) >= MAX_SMART_LISTS_PER_WORKSPACE)
      throw tooManySmartLists(MAX_SMART_LISTS_PER_WORKSPACE);
    const now = new Date();
    const entity = Object.assign(new SmartListEntity(), {
      id: newId(),
      workspaceId,
      name: parsed.name,
      nameKey: parsed.name.toLowerCase(),
      description: parsed.description,
      definition: SmartListService.stored(parsed.definition),
      createdAt: now,
      updatedAt: now,
    });
    try {
      await repo.insert(entity);
    } catch (err) {
      // The unique index settles concurrent creates with one name.
      if (isUniqueViolation(err)) throw smartListNameTaken(parsed.name);
      throw err;
    }
    return toRecord(entity);
  }

  async update(workspaceId: string, id: string, input: SmartListInputShape): Promise<SmartListRecord> {
    const parsed = this.parseInput(input);
    const repo = this.dataSource.getRepository(SmartListEntity);
    const changes = {
      name: parsed.name,
      nameKey: parsed.name.toLowerCase(),
      description: parsed.description,
      definition: SmartListService.stored(parsed.definition),
      updatedAt: new Date(),
    };
    let affected: number | undefined;
    try {
      ({ affected } = await repo.update({ workspaceId, id }, changes));
    } catch (err) {
      if (isUniqueViolation(err)) throw smartListNameTaken(parsed.name);
      throw err;
    }
    if (!affected) throw smartListNotFound(id);
    const entity = await repo.findOne({ where: { workspaceId, id } });
    if (!entity) throw smartListNotFound(id);
    return toRecord(entity);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    const { affected } = await this.dataSource.getRepository(SmartListEntity).delete({ workspaceId, id });
    if (!affected) throw smartListNotFound(id);
  }

  async get(workspaceId: string, id: string): Promise<SmartListRecord | null> {
    const entity = await this.dataSource.getRepository(SmartListEntity).findOne({ where: { workspaceId, id } });
    return entity ? toRecord(entity) : null;
  }

  /** Ordered by id (creation order), keyset after `afterId`. */
  async list(workspaceId: string, options: { limit: number; afterId?: string | null }): Promise<SmartListRecord[]> {
    const qb = this.dataSource
      .getRepository(SmartListEntity)
      .createQueryBuilder('l')
      .where('l.workspace_id = :workspaceId', { workspaceId });
    if (options.afterId) qb.andWhere('l.id > :afterId', { afterId: options.afterId });
    const rows = await qb.orderBy('l.id', 'ASC').limit(options.limit).getMany();
    return rows.map(toRecord);
  }

  private async all(workspaceId: string): Promise<SmartListRecord[]> {
    const rows = await this.dataSource
      .getRepository(SmartListEntity)
      .find({ where: { workspaceId }, order: { id: 'ASC' } });
    return rows.map(toRecord);
  }

  // ------------------------------------------------------------- membership

  /** Members ordered by person id, keyset after `afterId`. */
  async members(
    list: SmartListRecord,
    options: { limit: number; afterId?: string | null; now: number },
  ): Promise<PersonEntity[]> {
    const condition = named(
      compileFilterSet(list.definition, { now: options.now, personId: 'p.id', mysql: this.mysql }),
      'sl',
    );
    const qb = this.dataSource
      .getRepository(PersonEntity)
      .createQueryBuilder('p')
      .where('p.workspace_id = :workspaceId', { workspaceId: list.workspaceId })
      .andWhere(condition.text, condition.params);
    if (options.afterId) qb.andWhere('p.id > :afterId', { afterId: options.afterId });
    return qb.orderBy('p.id', 'ASC').limit(options.limit).getMany();
  }

  /**
   * Counting a large workspace is one long query per list, and MariaDB runs a
   * query on one core: on MySQL the people are split into `countParallelism`
   * disjoint shares by a hash of their id (every share scans the workspace's
   * person index, which is cheap; the filter probes, which are not, run once
   * per person in total) and the shares are counted concurrently.
   */
  async memberCount(list: SmartListRecord, now: number): Promise<number> {
    const condition = compileFilterSet(list.definition, { now, personId: 'p.id', mysql: this.mysql });
    const parts = this.countParallelism;
    const count = async (share: string, shareParams: unknown[]): Promise<number> => {
      const [row] = await this.dataSource.query(
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

  async includes(list: SmartListRecord, personId: string, now: number): Promise<boolean> {
    return this.passes(this.dataSource.manager, list.workspaceId, personId, list.definition, now);
  }

  /**
   * Whether one person passes a filter set right now, inside the caller's
   * transaction when it has one (campaigns check their filters after the
   * triggering activity is stored, before it commits).
   */
  async passes(
    db: EntityManager,
    workspaceId: string,
    personId: string,
    definition: FilterSetDef,
    now: number,
    excludeActivityIds: readonly string[] = [],
  ): Promise<boolean> {
    const condition = compileFilterSet(definition, { now, personId: 'p.id', excludeActivityIds, mysql: isMysql(db) });
    const rows = await db.query(
      `SELECT 1 AS hit FROM person p WHERE p.workspace_id = ? AND p.id = ? AND ${condition.text}`,
      [workspaceId, personId, ...condition.params],
    );
    return rows.length > 0;
  }

  /**
   * For each person, the lists of the workspace it is a member of (ordered by
   * list id): one UNION ALL query per group of lists for the whole batch of
   * people, for Person.smartLists through a DataLoader.
   */
  async listsOf(workspaceId: string, personIds: readonly string[], now: number): Promise<SmartListRecord[][]> {
    const lists = await this.all(workspaceId);
    const hits = new Map<string, Set<number>>();
    const people = [...new Set(personIds)];
    if (people.length === 0) return [];
    const parts = lists.map((list, index) => {
      const condition = compileFilterSet(list.definition, { now, personId: 'p.id', mysql: this.mysql });
      return {
        // The list's index is an integer literal from this loop, never input.
        text: `SELECT ${index} AS list_index, p.id AS person_id FROM person p WHERE p.workspace_id = ? AND p.id IN (${placeholders(people.length)}) AND ${condition.text}`,
        params: [workspaceId, ...people, ...condition.params],
      };
    });
    // Groups stay under both databases' bound-parameter limits (SQLite's is the lower, 32766).
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
    return personIds.map((id) => lists.filter((_, index) => hits.get(id)?.has(index) ?? false));
  }
}
