import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node, toGlobalId } from '../graphql/node';
import { ChatActivityType } from '../activity/activity.entity';
import { type Connection, connectionType } from '../graphql/connection';
import { FilterLogic } from '../smart-list/filter.model';
import { ActivityConstraints, Duration, SmartListFilter } from '../smart-list/filter.type';
import { isActivityFilter } from '../smart-list/person-filter.model';
import { AnySmartListFilter } from '../smart-list/person-filter.type';
import { encodeCursor } from '../shared/cursor';
import type { CampaignRunEntity } from './campaign-run.entity';
import type { CampaignEntity } from './campaign.entity';
import type { CampaignRunEvent } from './campaign.events';
import { FlowAction, QualificationKind, StepOutcome } from './campaign.model';

/** A run's cursor: its per-campaign sequence number. */
export const runCursor = (seq: number): string => encodeCursor([seq]);

registerEnumType(QualificationKind, {
  name: 'QualificationKind',
  valuesConfig: {
    EACH_TIME: { description: 'Every trigger runs the flow.' },
    ONCE: { description: 'A person runs through the flow once, ever.' },
    ONCE_EVERY: { description: 'At most once per interval per person.' },
  },
});
registerEnumType(FlowAction, {
  name: 'FlowAction',
  valuesConfig: {
    CHANGE_SCORE: { description: "Adds scoreDelta to the person's score." },
    INTERESTING_MOMENT: { description: 'Sends an interesting moment (description) for the person to Sales Insight.' },
    WEBHOOK: { description: 'POSTs the run to webhookUrl (signed, retried).' },
  },
});
registerEnumType(StepOutcome, { name: 'StepOutcome' });

@ObjectType({
  description: 'A trigger fires when a newly recorded activity of this type meets the constraints.',
  simpleResolvers: true,
})
export class CampaignTrigger {
  @Field(() => ChatActivityType)
  activity: ChatActivityType;

  @Field(() => ActivityConstraints)
  constraints: ActivityConstraints;
}

@ObjectType({ simpleResolvers: true })
export class Qualification {
  @Field(() => QualificationKind)
  kind: QualificationKind;

  @Field(() => Duration, { nullable: true })
  interval: Duration | null;
}

@ObjectType({
  description: 'One flow step. A step runs only if all of its conditions hold for the activity that triggered the run.',
  simpleResolvers: true,
})
export class FlowStep {
  @Field(() => Int)
  position: number;

  @Field(() => FlowAction)
  action: FlowAction;

  @Field(() => [ActivityConstraints])
  conditions: ActivityConstraints[];

  @Field(() => Int, { nullable: true })
  scoreDelta: number | null;

  @Field(() => String, { nullable: true })
  description: string | null;

  /** Shown whole to MANAGE keys only (a webhook URL often carries a token): see FlowStepResolver. */
  webhookUrl: string | null;
}

@ObjectType({ implements: Node })
export class Campaign implements Node {
  /** The raw id; the schema's `id` is the global one (Node). */
  id: string;

  get nodeId(): string {
    return toGlobalId('Campaign', this.id);
  }

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field()
  active: boolean;

  @Field(() => [CampaignTrigger], { description: 'Any trigger (OR) starts a run.' })
  triggers: CampaignTrigger[];

  @Field(() => FilterLogic, { description: 'Smart-list filters the person must also pass when a trigger fires.' })
  filterLogic: FilterLogic;

  @Field(() => String, { nullable: true })
  advancedLogic: string | null;

  @Field(() => [SmartListFilter], {
    description:
      'The activity filters (every filter, unless the campaign has person or membership filters: allFilters has every kind).',
  })
  filters: SmartListFilter[];

  @Field(() => [AnySmartListFilter], { description: 'Every filter, of every kind, in position order.' })
  allFilters: AnySmartListFilter[];

  @Field(() => Qualification)
  qualification: Qualification;

  @Field(() => [FlowStep])
  flow: FlowStep[];

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;

  static from(this: void, row: CampaignEntity): Campaign {
    const d = row.definition;
    return Object.assign(new Campaign(), {
      id: row.id,
      name: row.name,
      description: row.description,
      active: row.active,
      triggers: d.triggers.map((t) =>
        Object.assign(new CampaignTrigger(), {
          activity: t.activity,
          constraints: ActivityConstraints.from(t.constraints),
        }),
      ),
      filterLogic: d.filterLogic,
      advancedLogic: d.advancedLogic,
      filters: d.filters.filter(isActivityFilter).map(SmartListFilter.from),
      allFilters: d.filters.map(AnySmartListFilter.from),
      qualification: Object.assign(new Qualification(), {
        kind: d.qualification.kind,
        interval: d.qualification.interval ? Duration.from(d.qualification.interval) : null,
      }),
      flow: d.flow.map((step, i) =>
        Object.assign(new FlowStep(), {
          position: i + 1,
          action: step.action,
          conditions: step.conditions.map(ActivityConstraints.from),
          scoreDelta: step.scoreDelta,
          description: step.description,
          webhookUrl: step.webhookUrl,
        }),
      ),
      createdAt: new Date(row.createdAt),
      updatedAt: new Date(row.updatedAt),
    });
  }
}

@ObjectType({ simpleResolvers: true })
export class FlowStepResult {
  @Field(() => Int)
  position: number;

  @Field(() => FlowAction)
  action: FlowAction;

  @Field(() => StepOutcome)
  outcome: StepOutcome;
}

/** campaign, person and activity are field resolvers: preloaded from a published run, or loaded per request. */
@ObjectType({ implements: Node, description: 'A person qualified for a campaign through a trigger.' })
export class CampaignRun implements Node {
  /** The raw id; the schema's `id` is the global one (Node). */
  id: string;

  get nodeId(): string {
    return toGlobalId('CampaignRun', this.id);
  }

  @Field({ description: 'Opaque, increasing per campaign: pass it as `after` to campaignTriggered to resume.' })
  cursor: string;

  @Field()
  triggeredAt: Date;

  @Field(() => [FlowStepResult])
  steps: FlowStepResult[];

  row: CampaignRunEntity;
  /** Set when the run came through the pubsub: no query needed to answer. */
  preloaded?: CampaignRunEvent;

  static from(this: void, row: CampaignRunEntity, preloaded?: CampaignRunEvent): CampaignRun {
    return Object.assign(new CampaignRun(), {
      id: row.id,
      cursor: runCursor(row.seq),
      triggeredAt: new Date(row.triggeredAt),
      steps: row.steps.map((s) => Object.assign(new FlowStepResult(), s)),
      row,
      preloaded,
    });
  }
}

export const CampaignRunConnection = connectionType('CampaignRun', () => CampaignRun);
export type CampaignRunConnection = Connection<CampaignRun>;

export const CampaignConnection = connectionType('Campaign', () => Campaign);
export type CampaignConnection = Connection<Campaign>;
