import type { PubSub } from '../shared/pubsub';
import type { EntityManager } from 'typeorm';
import type {
  ActivityRecordedHook,
  AfterCommit,
  HookReason,
  PendingActivities,
  PreparedHook,
  RecordedActivities,
} from '../activity/activity-hooks';
import type { ActivityEntity, ChatActivityType } from '../activity/activity.entity';
import { newId } from '../db/columns';
import type { AppMetrics } from '../metrics/metrics';
import { DeliveryKind } from '../delivery/delivery.model';
import { activityPayload } from '../delivery/delivery.payload';
import type { PersonEntity } from '../person/person.entity';
import { subtractDuration } from '../smart-list/duration';
import { constraintsMatch, type MatchContext, needsContext } from '../smart-list/filter.match';
import type { FilterSetDef } from '../smart-list/filter.model';
import { loadMatchContext } from '../smart-list/match-context';
import { restoreFilterSet } from '../smart-list/filter.parser';
import type { SmartListService } from '../smart-list/smart-list.service';
import { CampaignQualificationEntity } from './campaign-qualification.entity';
import { CampaignRunEntity } from './campaign-run.entity';
import type { CampaignEntity } from './campaign.entity';
import { CAMPAIGN_TRIGGERED, type CampaignRunEvent, type CampaignTopics, personEvent } from './campaign.events';
import { FlowAction, type FlowStepDef, QualificationKind, type StepResult, StepOutcome } from './campaign.model';
import type { CampaignRepository } from './campaign.repository';

/** What campaigns need from the delivery outbox (DeliveryService), kept narrow so either side can change. */
export interface DeliveryQueue {
  enqueue(
    tx: EntityManager,
    items: ReadonlyArray<{
      workspaceId: string;
      kind: DeliveryKind;
      activityId: string;
      campaignRunId: string;
      url?: string | null;
      payload: Record<string, unknown>;
    }>,
  ): Promise<string[]>;
  wake: () => void;
}

const MAX_PARSED_CAMPAIGNS = 10_000;

/** A campaign restored for the write path: the row and its compiled filter set. */
interface LiveCampaign {
  entity: CampaignEntity;
  filters: FilterSetDef;
  /** Whether a trigger or step condition reads more than the activity row (current names, booking status). */
  needsContext: boolean;
}

interface PlannedRun {
  campaign: LiveCampaign;
  activity: ActivityEntity;
  run: CampaignRunEntity;
}

/** A step that queues a delivery: settled once the people are read (their summary goes into the payload). */
interface DeliveryStep {
  planned: PlannedRun;
  step: FlowStepDef;
  result: StepResult;
}

/**
 * Whether the activity triggers the campaign. A conversation status change
 * (not a new activity) is looked at only by triggers that constrain the
 * status: the others saw this engagement when it was recorded.
 * `context` null: an upper bound (see constraintsMatch).
 */
const triggers = (
  campaign: LiveCampaign,
  activity: ActivityEntity,
  context: MatchContext | null,
  reason: HookReason = 'recorded',
): boolean =>
  campaign.entity.definition.triggers.some(
    (t) =>
      t.activity === activity.type &&
      (reason === 'recorded' || t.constraints.conversationStatus !== undefined) &&
      constraintsMatch(activity, t.constraints, context),
  );

const stepApplies = (step: FlowStepDef, activity: ActivityEntity, context: MatchContext | null): boolean =>
  step.conditions.every((condition) => constraintsMatch(activity, condition, context));

/** Whether a run of this campaign for this (triggering) activity may update the person (an upper bound). */
const changesScore = (campaign: LiveCampaign, activity: ActivityEntity): boolean =>
  campaign.entity.definition.flow.some(
    (step) => step.action === FlowAction.CHANGE_SCORE && stepApplies(step, activity, null),
  );

const campaignNeedsContext = (entity: CampaignEntity): boolean =>
  entity.definition.triggers.some((t) => needsContext(t.constraints)) ||
  entity.definition.flow.some((step) => step.conditions.some(needsContext));

/**
 * Campaigns on the write path. The hook runs inside the transaction that
 * stored the activities, so runs, score changes and queued deliveries commit
 * or roll back with them; runs are published after the commit, each once, to
 * its campaign's topic.
 */
export class CampaignRunner implements ActivityRecordedHook {
  /** Parsed definitions by campaign id, valid while updated_at (bumped by every change) is the same. */
  private readonly parsed = new Map<string, { version: number; campaign: LiveCampaign }>();

  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly smartLists: SmartListService,
    private readonly deliveries: DeliveryQueue,
    private readonly pubSub: PubSub<CampaignTopics>,
    private readonly metrics?: Pick<AppMetrics, 'campaignRunsCommitted'>,
  ) {}

  /**
   * The active campaigns a batch's activity types can trigger are read before the batch is inserted. If one of
   * the batch's activities triggers a campaign with a CHANGE_SCORE step whose conditions it meets, the write path
   * locks the batch's people first (filters and qualification, checked later, may still skip the run: the lock
   * is then merely unneeded). The same campaigns then run.
   */
  async prepare(tx: EntityManager, { workspaceId, activities, reason }: PendingActivities): Promise<PreparedHook> {
    const campaigns = await this.candidates(tx, workspaceId, [...new Set(activities.map((a) => a.type))]);
    return {
      updatesPeople: activities.some((activity) =>
        campaigns.some((campaign) => triggers(campaign, activity, null, reason) && changesScore(campaign, activity)),
      ),
      recorded: (recorded) => this.onRecorded(tx, recorded, campaigns),
    };
  }

  private async onRecorded(
    tx: EntityManager,
    { workspaceId, activities, reason }: RecordedActivities,
    candidates: readonly LiveCampaign[],
  ): Promise<AfterCommit | void> {
    const now = Date.now();
    // Only when a candidate reads names or booking statuses: the common batch pays no extra query.
    const context = candidates.some(
      (campaign) => campaign.needsContext && activities.some((a) => triggers(campaign, a, null, reason)),
    )
      ? await loadMatchContext(tx, workspaceId, activities)
      : null;
    const triggered = candidates.filter((campaign) =>
      activities.some((activity) => triggers(campaign, activity, context, reason)),
    );
    if (triggered.length === 0) return;
    const triggeredIds = triggered.map(({ entity }) => entity.id);
    await this.campaigns.lockForRuns(tx, triggeredIds);
    const { planned, deliverySteps } = await this.plan(tx, workspaceId, activities, triggered, now, context, reason);
    if (planned.length === 0) return;
    const people = await this.peopleOf(tx, planned);
    const queued = await this.queueDeliveries(tx, deliverySteps, people, now);
    await this.assignSequenceNumbers(tx, planned);
    const runs = planned.map(({ run }) => run);
    await this.campaigns.insertRuns(tx, runs);
    return this.publishAfterCommit(planned, people, queued);
  }

  /**
   * Active campaigns with a trigger of one of these types: one indexed query
   * (campaign_trigger by workspace and type) for ids and versions;
   * definitions are parsed once per version and kept, so a batch costs the
   * same whatever the size of the definitions.
   */
  private async candidates(
    tx: EntityManager,
    workspaceId: string,
    types: readonly ChatActivityType[],
  ): Promise<LiveCampaign[]> {
    const versions = new Map(
      (await this.campaigns.triggeredBy(tx, workspaceId, types)).map(({ id, version }) => [id, version]),
    );
    if (versions.size === 0) return [];
    const stale = [...versions].filter(([id, version]) => this.parsed.get(id)?.version !== version).map(([id]) => id);
    if (stale.length > 0) {
      if (this.parsed.size > MAX_PARSED_CAMPAIGNS) this.parsed.clear();
      for (const entity of await this.campaigns.byIds(tx, stale)) {
        const { filterLogic: logic, advancedLogic, filters } = entity.definition;
        const campaign = {
          entity,
          filters: restoreFilterSet({ logic, advancedLogic, filters }),
          needsContext: campaignNeedsContext(entity),
        };
        this.parsed.set(entity.id, { version: entity.updatedAt, campaign });
      }
    }
    return [...versions.keys()]
      .sort()
      .map((id) => this.parsed.get(id)?.campaign)
      .filter((c): c is LiveCampaign => c !== undefined && c.entity.active);
  }

  /**
   * The runs of the batch, in input order: each triggering activity, for each
   * campaign it triggers, passes the filters and qualifies, then its flow
   * runs (score changes at once, deliveries once the people are read).
   */
  private async plan(
    tx: EntityManager,
    workspaceId: string,
    activities: readonly ActivityEntity[],
    triggered: readonly LiveCampaign[],
    now: number,
    context: MatchContext | null,
    reason: HookReason | undefined,
  ): Promise<{ planned: PlannedRun[]; deliverySteps: DeliveryStep[] }> {
    const planned: PlannedRun[] = [];
    const deliverySteps: DeliveryStep[] = [];
    for (const [index, activity] of activities.entries()) {
      // Each input takes effect in input order: filters checked for this activity must not see the
      // person's later activities of the same batch, although they are already stored.
      const later = activities
        .slice(index + 1)
        .filter((a) => a.personId === activity.personId)
        .map((a) => a.id);
      for (const campaign of triggered) {
        // A null context here means no triggered campaign reads one: the check is exact.
        if (!triggers(campaign, activity, context, reason)) continue;
        if (!(await this.passesFilters(tx, workspaceId, campaign, activity, later, now))) continue;
        const run = Object.assign(new CampaignRunEntity(), {
          id: newId(),
          workspaceId,
          campaignId: campaign.entity.id,
          seq: 0,
          personId: activity.personId,
          activityId: activity.id,
          triggeredAt: now,
          steps: [],
        });
        if (!(await this.qualifies(tx, campaign.entity, run))) continue;
        const next = { campaign, activity, run };
        deliverySteps.push(...(await this.runFlow(tx, next, now, context)));
        planned.push(next);
      }
    }
    return { planned, deliverySteps };
  }

  /** Smart-list filters, evaluated in SQL for the person in this transaction (the triggering activity counts). */
  private async passesFilters(
    tx: EntityManager,
    workspaceId: string,
    campaign: LiveCampaign,
    activity: ActivityEntity,
    excludeActivityIds: readonly string[],
    now: number,
  ): Promise<boolean> {
    if (campaign.filters.filters.length === 0) return true;
    return this.smartLists.passes(tx, workspaceId, activity.personId, campaign.filters, now, excludeActivityIds);
  }

  /** The qualification rule, race-safe through the (campaign, person) primary key of campaign_qualification. */
  private async qualifies(tx: EntityManager, campaign: CampaignEntity, run: CampaignRunEntity): Promise<boolean> {
    const { kind, interval } = campaign.definition.qualification;
    if (kind === QualificationKind.EACH_TIME) return true;
    const qualification = Object.assign(new CampaignQualificationEntity(), {
      campaignId: campaign.id,
      personId: run.personId,
      workspaceId: campaign.workspaceId,
      lastRunAt: run.triggeredAt,
      runId: run.id,
    });
    if (
      kind === QualificationKind.ONCE_EVERY &&
      (await this.campaigns.renewQualification(tx, qualification, subtractDuration(run.triggeredAt, interval!)))
    )
      return true;
    return this.campaigns.claimQualification(tx, qualification);
  }

  /**
   * The run's step results, in flow order: a step whose conditions do not all
   * hold for the triggering activity is SKIPPED; CHANGE_SCORE is applied now;
   * the delivery steps are returned to be queued.
   */
  private async runFlow(
    tx: EntityManager,
    planned: PlannedRun,
    now: number,
    context: MatchContext | null,
  ): Promise<DeliveryStep[]> {
    const { campaign, activity, run } = planned;
    const deliverySteps: DeliveryStep[] = [];
    for (const [i, step] of campaign.entity.definition.flow.entries()) {
      const result: StepResult = { position: i + 1, action: step.action, outcome: StepOutcome.SKIPPED };
      run.steps.push(result);
      if (!stepApplies(step, activity, context)) continue;
      if (step.action === FlowAction.CHANGE_SCORE) {
        await this.campaigns.addScore(tx, activity.personId, step.scoreDelta!, now);
        result.outcome = StepOutcome.DONE;
      } else {
        deliverySteps.push({ planned, step, result });
      }
    }
    return deliverySteps;
  }

  /** The runs' people after their score changes: the delivery payloads and the published runs carry them. */
  private async peopleOf(tx: EntityManager, planned: readonly PlannedRun[]): Promise<Map<string, PersonEntity>> {
    const people = await this.campaigns.people(tx, [...new Set(planned.map(({ run }) => run.personId))]);
    return new Map(people.map((person) => [person.id, person]));
  }

  /** Writes the INTERESTING_MOMENT and WEBHOOK deliveries to the outbox; returns how many were queued. */
  private async queueDeliveries(
    tx: EntityManager,
    deliverySteps: readonly DeliveryStep[],
    people: ReadonlyMap<string, PersonEntity>,
    now: number,
  ): Promise<number> {
    let queued = 0;
    for (const { planned, step, result } of deliverySteps) {
      const { campaign, activity, run } = planned;
      const written = await this.deliveries.enqueue(tx, [
        {
          workspaceId: run.workspaceId,
          kind: step.action === FlowAction.WEBHOOK ? DeliveryKind.WEBHOOK : DeliveryKind.INTERESTING_MOMENT,
          activityId: activity.id,
          campaignRunId: run.id,
          url: step.webhookUrl,
          payload: {
            campaign: { id: campaign.entity.id, name: campaign.entity.name },
            run: { id: run.id, triggeredAt: new Date(now).toISOString() },
            personId: run.personId,
            activity: activityPayload(activity, people.get(run.personId)),
            ...(step.action === FlowAction.INTERESTING_MOMENT ? { description: step.description } : {}),
          },
        },
      ]);
      // The outbox skips an INTERESTING_MOMENT while Sales Insight is off: nothing is queued, so the step FAILED.
      result.outcome = written.length > 0 ? StepOutcome.QUEUED : StepOutcome.FAILED;
      queued += written.length;
    }
    return queued;
  }

  /** Last and in campaign id order: the campaign row lock that orders runs is held as briefly as possible. */
  private async assignSequenceNumbers(tx: EntityManager, planned: readonly PlannedRun[]): Promise<void> {
    const byCampaign = new Map<string, PlannedRun[]>();
    for (const p of planned) byCampaign.set(p.run.campaignId, [...(byCampaign.get(p.run.campaignId) ?? []), p]);
    for (const [campaignId, runs] of [...byCampaign].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const first = await this.campaigns.allocateSeqs(tx, campaignId, runs.length);
      runs.forEach((p, i) => (p.run.seq = first + i));
    }
  }

  /** After this turn of the event loop: the recording call is answered first, then the fan-out to listeners runs. */
  private publishAfterCommit(
    planned: readonly PlannedRun[],
    people: ReadonlyMap<string, PersonEntity>,
    queued: number,
  ): AfterCommit {
    const events: CampaignRunEvent[] = [...planned]
      .sort((a, b) => a.run.seq - b.run.seq)
      .map((p) => ({
        kind: 'run',
        seq: p.run.seq,
        run: p.run,
        campaign: p.campaign.entity,
        person: personEvent(people.get(p.run.personId)!),
        activity: p.activity,
      }));
    return () => {
      this.metrics?.campaignRunsCommitted(events.map((event) => event.run.campaignId));
      setImmediate(() => {
        for (const event of events) this.pubSub.publish(CAMPAIGN_TRIGGERED, event.run.campaignId, event);
      });
      if (queued > 0) this.deliveries.wake();
    };
  }
}
