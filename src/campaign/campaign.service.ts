import type { ActivityService } from '../activity/activity.service';
import { newId } from '../db/columns';
import type { PersonEntity } from '../person/person.entity';
import type { PersonService } from '../person/person.service';
import type { RunSource } from './campaign-stream';
import type { CampaignRunEntity } from './campaign-run.entity';
import { CampaignEntity } from './campaign.entity';
import { campaignInactive, campaignNotFound } from './campaign.errors';
import { type CampaignRunEvent, personEvent } from './campaign.events';
import type { CampaignInput } from './campaign.input';
import { parseCampaignInput } from './campaign.parser';
import type { OutboundPolicy } from '../shared/outbound';
import type { CampaignRepository } from './campaign.repository';
import type { SmartListService } from '../smart-list/smart-list.service';
import { restoreFilterSet } from '../smart-list/filter.parser';
import type { CampaignDef } from './campaign.model';
import type { EntityManager } from 'typeorm';

/**
 * Campaigns: definitions, their runs, and the replay source of run streams
 * (campaign-stream.ts). The write path is campaign.runner.ts.
 */
export class CampaignService implements RunSource {
  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly people: PersonService,
    private readonly activities: ActivityService,
    private readonly outbound: OutboundPolicy,
    private readonly smartLists: Pick<SmartListService, 'checkCampaignFilters'>,
  ) {}

  /** The lists and campaigns the filters name exist, checked in the writing transaction. */
  private filtersCheck(workspaceId: string, { filterLogic: logic, advancedLogic, filters }: CampaignDef) {
    return (tx: EntityManager) =>
      this.smartLists.checkCampaignFilters(tx, workspaceId, restoreFilterSet({ logic, advancedLogic, filters }));
  }

  // ------------------------------------------------------------ definitions

  /** Created inactive. */
  async create(workspaceId: string, input: CampaignInput): Promise<CampaignEntity> {
    const parsed = parseCampaignInput(input, this.outbound);
    const now = Date.now();
    const id = newId();
    await this.campaigns.create(
      Object.assign(new CampaignEntity(), {
        id,
        workspaceId,
        ...parsed,
        active: false,
        createdAt: now,
        updatedAt: now,
      }),
      this.filtersCheck(workspaceId, parsed.definition),
    );
    return this.found(workspaceId, id);
  }

  async update(workspaceId: string, id: string, input: CampaignInput): Promise<CampaignEntity> {
    const parsed = parseCampaignInput(input, this.outbound);
    if (!(await this.campaigns.update(workspaceId, id, parsed, this.filtersCheck(workspaceId, parsed.definition))))
      throw campaignNotFound(id);
    return this.found(workspaceId, id);
  }

  async setActive(workspaceId: string, id: string, active: boolean): Promise<CampaignEntity> {
    if (!(await this.campaigns.setActive(workspaceId, id, active))) throw campaignNotFound(id);
    return this.found(workspaceId, id);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    if (!(await this.campaigns.delete(workspaceId, id))) throw campaignNotFound(id);
  }

  async get(workspaceId: string, id: string): Promise<CampaignEntity | null> {
    return this.campaigns.get(workspaceId, id);
  }

  async getMany(workspaceId: string, ids: readonly string[]): Promise<Array<CampaignEntity | null>> {
    return this.campaigns.getMany(workspaceId, ids);
  }

  /** Newest first, keyset before `beforeId`. */
  async list(workspaceId: string, options: { limit: number; beforeId?: string | null }): Promise<CampaignEntity[]> {
    return this.campaigns.list(workspaceId, options);
  }

  /** The campaign a subscriber may listen to: of its workspace (NOT_FOUND) and active (BAD_USER_INPUT). */
  async listenable(workspaceId: string, id: string): Promise<CampaignEntity> {
    const campaign = await this.get(workspaceId, id);
    if (!campaign) throw campaignNotFound(id);
    if (!campaign.active) throw campaignInactive(id);
    return campaign;
  }

  private async found(workspaceId: string, id: string): Promise<CampaignEntity> {
    const campaign = await this.get(workspaceId, id);
    if (!campaign) throw campaignNotFound(id);
    return campaign;
  }

  // ------------------------------------------------------------------ runs

  /** A campaign's runs, newest first, keyset before `beforeSeq`. */
  async runs(campaignId: string, options: { limit: number; beforeSeq?: number | null }): Promise<CampaignRunEntity[]> {
    return this.campaigns.runs(campaignId, options);
  }

  async getRuns(workspaceId: string, ids: readonly string[]): Promise<Array<CampaignRunEntity | null>> {
    return this.campaigns.getRuns(workspaceId, ids);
  }

  // ------------------------------------------------------- run stream source

  async lastSeq(campaignId: string): Promise<number> {
    return this.campaigns.lastSeq(campaignId);
  }

  async runsBetween(
    campaignId: string,
    afterSeq: number,
    beforeSeq: number | null,
    limit: number,
  ): Promise<CampaignRunEntity[]> {
    return this.campaigns.runsBetween(campaignId, afterSeq, beforeSeq, limit);
  }

  /**
   * Replayed runs: the current person and the stored activity (live runs
   * carry them from the write). A person merge committing between reading the
   * runs and their people moves a run to another person: such runs are read
   * again, never skipped; what still cannot be answered fails the stream (the
   * client resumes from its last cursor) rather than losing a run.
   */
  async eventsOf(campaign: CampaignEntity, runs: readonly CampaignRunEntity[]): Promise<CampaignRunEvent[]> {
    if (runs.length === 0) return [];
    const { workspaceId } = campaign;
    const people = await this.peopleById(
      workspaceId,
      runs.map((r) => r.personId),
    );
    const moved = runs.filter((run) => !people.has(run.personId));
    let current = runs;
    if (moved.length > 0) {
      const reread = new Map(
        (
          await this.getRuns(
            workspaceId,
            moved.map((r) => r.id),
          )
        )
          .filter((r): r is CampaignRunEntity => r !== null)
          .map((r) => [r.id, r]),
      );
      for (const [id, person] of await this.peopleById(
        workspaceId,
        [...reread.values()].map((r) => r.personId),
      ))
        people.set(id, person);
      current = runs.map((run) => reread.get(run.id) ?? run);
    }
    const activities = await this.activities.getMany(
      workspaceId,
      current.map((r) => r.activityId),
    );
    return current.map((run, i) => {
      const person = people.get(run.personId);
      const activity = activities[i];
      if (!person || !activity)
        throw new Error(`run ${run.id} of campaign ${campaign.id} lost its person or activity during replay`);
      return { kind: 'run', seq: run.seq, run, campaign, person: personEvent(person), activity };
    });
  }

  private async peopleById(workspaceId: string, ids: readonly string[]): Promise<Map<string, PersonEntity>> {
    const people = await this.people.getMany(workspaceId, ids);
    return new Map(people.filter((p): p is PersonEntity => p !== null).map((p) => [p.id, p]));
  }
}
