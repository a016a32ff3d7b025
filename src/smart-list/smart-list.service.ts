import type { EntityManager } from 'typeorm';
import { newId } from '../db/columns';
import type { PersonEntity } from '../person/person.entity';
import { inKeyOrder } from '../shared/batch';
import { parseNameAndDescription } from '../shared/definition-fields';
import type { FilterSetDef } from './filter.model';
import { parseFilterSet } from './filter.parser';
import { checkListGraph, checkReferencedLists, compiledSize, definitionsOf } from './membership-graph';
import { referencedCampaignIds, referencedListIds } from './person-filter.model';
import { SmartListEntity } from './smart-list.entity';
import {
  campaignReferenceNotFound,
  MAX_NESTED_PARAMETERS,
  nestingTooLarge,
  smartListInUse,
  smartListNotFound,
  tooManySmartLists,
} from './smart-list.errors';
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
    return this.lists.writing(workspaceId, async (tx, lists) => {
      if (lists.length >= MAX_SMART_LISTS_PER_WORKSPACE) throw tooManySmartLists(MAX_SMART_LISTS_PER_WORKSPACE);
      const now = new Date();
      const list = Object.assign(new SmartListEntity(), {
        id: newId(),
        workspaceId,
        ...parsed,
        createdAt: now,
        updatedAt: now,
      });
      await this.checkReferences(tx, list, lists);
      await this.lists.insert(tx, list);
      return list;
    });
  }

  async update(workspaceId: string, id: string, input: SmartListInputShape): Promise<SmartListEntity> {
    const parsed = this.parseInput(input);
    return this.lists.writing(workspaceId, async (tx, lists) => {
      const existing = lists.find((list) => list.id === id);
      if (!existing) throw smartListNotFound(id);
      const list = Object.assign(new SmartListEntity(), existing, parsed, { updatedAt: new Date() });
      await this.checkReferences(tx, list, lists);
      if (!(await this.lists.update(tx, workspaceId, id, { ...parsed, updatedAt: list.updatedAt })))
        throw smartListNotFound(id);
      return list;
    });
  }

  /** A list that other lists or campaigns filter on is refused (CONFLICT naming them): its filters go first. */
  async delete(workspaceId: string, id: string): Promise<void> {
    await this.lists.writing(workspaceId, async (tx, lists) => {
      const list = lists.find((l) => l.id === id);
      if (!list) throw smartListNotFound(id);
      const usedBy = lists.filter((l) => referencedListIds(l.definition.filters).includes(id));
      const campaigns = await this.lists.campaignsNaming(tx, workspaceId, [id]);
      if (usedBy.length > 0 || campaigns.length > 0) throw smartListInUse(list.name, usedBy, campaigns);
      if (!(await this.lists.delete(tx, workspaceId, id))) throw smartListNotFound(id);
    });
  }

  /**
   * The rules a list's references keep (membership-graph.ts), against the
   * workspace's lists as they are locked for this write, and the campaigns
   * that filter on it or on a list containing it (their queries grow with it).
   */
  private async checkReferences(tx: EntityManager, list: SmartListEntity, lists: SmartListEntity[]): Promise<void> {
    const others = new Map(lists.filter((l) => l.id !== list.id).map((l) => [l.id, l]));
    const containing = checkListGraph(list, others, ['input']);
    await this.checkCampaignsExist(tx, list.workspaceId, list.definition);
    const campaigns = await this.lists.campaignsNaming(tx, list.workspaceId, [list.id, ...containing]);
    const definitions = definitionsOf(new Map(others).set(list.id, list));
    for (const campaign of campaigns) {
      const size = compiledSize(campaign.filters, definitions);
      if (size > MAX_NESTED_PARAMETERS) throw nestingTooLarge(`campaign ${JSON.stringify(campaign.name)}`, size);
    }
  }

  private async checkCampaignsExist(tx: EntityManager, workspaceId: string, definition: FilterSetDef): Promise<void> {
    const ids = referencedCampaignIds(definition.filters);
    const existing = await this.lists.existingCampaignIds(tx, workspaceId, ids);
    definition.filters.forEach((filter, index) => {
      if ('kind' in filter && filter.kind === 'wasInCampaign' && !existing.has(filter.campaignId))
        throw campaignReferenceNotFound(filter.campaignId, ['input', 'filters', String(index)]);
    });
  }

  /**
   * A campaign's filters, inside the transaction that writes the campaign:
   * the lists and campaigns they name exist (the named lists locked until
   * the commit, so they cannot be deleted under it) and the query with its
   * nested lists fits.
   */
  async checkCampaignFilters(tx: EntityManager, workspaceId: string, filters: FilterSetDef): Promise<void> {
    await this.lists.lockLists(tx, workspaceId, referencedListIds(filters.filters));
    checkReferencedLists(filters, await this.lists.nestedLists(tx, workspaceId, filters), ['input'], 'campaign');
    await this.checkCampaignsExist(tx, workspaceId, filters);
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
