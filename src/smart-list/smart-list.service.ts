import type { EntityManager } from 'typeorm';
import { newId } from '../db/columns';
import type { PersonEntity } from '../person/person.entity';
import { inKeyOrder } from '../shared/batch';
import { parseNameAndDescription } from '../shared/definition-fields';
import type { FilterSetDef } from './filter.model';
import { parseFilterSet } from './filter.parser';
import { SmartListEntity } from './smart-list.entity';
import { smartListNotFound, tooManySmartLists } from './smart-list.errors';
import type { SmartListRepository } from './smart-list.repository';

export const MAX_SMART_LISTS_PER_WORKSPACE = 500;

export interface SmartListInputShape {
  name: string;
  description?: string | null;
  logic?: unknown;
  advancedLogic?: unknown;
  filters?: unknown;
}

/**
 * Smart lists: definitions, and membership evaluated in the database from
 * the activities at the time asked (`now`), one SQL query per question.
 * Callers that ask several questions about one list in one request pass the
 * same `now`, so members, memberCount and includes agree.
 */
export class SmartListService {
  constructor(private readonly lists: SmartListRepository) {}

  // ------------------------------------------------------------ definitions

  private parseInput(
    input: SmartListInputShape,
  ): Pick<SmartListEntity, 'name' | 'nameKey' | 'description' | 'definition'> {
    const { name, description } = parseNameAndDescription(input);
    return { name, nameKey: name.toLowerCase(), description, definition: parseFilterSet(input, ['input']) };
  }

  async create(workspaceId: string, input: SmartListInputShape): Promise<SmartListEntity> {
    const parsed = this.parseInput(input);
    if ((await this.lists.count(workspaceId)) >= MAX_SMART_LISTS_PER_WORKSPACE)
      throw tooManySmartLists(MAX_SMART_LISTS_PER_WORKSPACE);
    const now = new Date();
    const list = Object.assign(new SmartListEntity(), {
      id: newId(),
      workspaceId,
      ...parsed,
      createdAt: now,
      updatedAt: now,
    });
    await this.lists.insert(list);
    return list;
  }

  async update(workspaceId: string, id: string, input: SmartListInputShape): Promise<SmartListEntity> {
    const parsed = this.parseInput(input);
    if (!(await this.lists.update(workspaceId, id, { ...parsed, updatedAt: new Date() }))) throw smartListNotFound(id);
    const list = await this.lists.get(workspaceId, id);
    if (!list) throw smartListNotFound(id);
    return list;
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    if (!(await this.lists.delete(workspaceId, id))) throw smartListNotFound(id);
  }

  async get(workspaceId: string, id: string): Promise<SmartListEntity | null> {
    return this.lists.get(workspaceId, id);
  }

  /** Batch load for DataLoaders, in key order, null for unknown or foreign ids. */
  async getMany(workspaceId: string, ids: readonly string[]): Promise<Array<SmartListEntity | null>> {
    return inKeyOrder(ids, await this.lists.getMany(workspaceId, ids));
  }

  /** Ordered by id (creation order), keyset after `afterId`. */
  async list(workspaceId: string, options: { limit: number; afterId?: string | null }): Promise<SmartListEntity[]> {
    return this.lists.list(workspaceId, options);
  }

  // ------------------------------------------------------------- membership

  /** Members ordered by person id, keyset after `afterId`. */
  async members(
    list: SmartListEntity,
    options: { limit: number; afterId?: string | null; now: number },
  ): Promise<PersonEntity[]> {
    return this.lists.members(list, options);
  }

  async memberCount(list: SmartListEntity, now: number): Promise<number> {
    return this.lists.memberCount(list, now);
  }

  async includes(list: SmartListEntity, personId: string, now: number): Promise<boolean> {
    return this.lists.passes(undefined, list.workspaceId, personId, list.definition, now);
  }

  /**
   * Whether one person passes a filter set right now, inside the caller's
   * transaction (campaigns check their filters after the triggering activity
   * is stored, before it commits).
   */
  async passes(
    tx: EntityManager,
    workspaceId: string,
    personId: string,
    definition: FilterSetDef,
    now: number,
    excludeActivityIds: readonly string[] = [],
  ): Promise<boolean> {
    return this.lists.passes(tx, workspaceId, personId, definition, now, excludeActivityIds);
  }

  /** For each person, the lists of the workspace it is a member of (ordered by list id), for a DataLoader. */
  async listsOf(workspaceId: string, personIds: readonly string[], now: number): Promise<SmartListEntity[][]> {
    const lists = await this.lists.all(workspaceId);
    const people = [...new Set(personIds)];
    if (people.length === 0) return [];
    const hits = await this.lists.membership(workspaceId, lists, people, now);
    return personIds.map((id) => lists.filter((_, index) => hits.get(id)?.has(index) ?? false));
  }
}
