import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ChatActivityType } from '../activity/activity.entity';
import { toGlobalId } from '../shared/global-id';
import { ActivityConstraints, DateOfActivity } from './filter.type';
import { type AnyFilterDef, isActivityFilter, type PersonCriteriaDef, type ScoreRangeDef } from './person-filter.model';

@ObjectType({ description: 'Inclusive bounds.', simpleResolvers: true })
export class ScoreRange {
  @Field(() => Int, { nullable: true })
  atLeast?: number;

  @Field(() => Int, { nullable: true })
  atMost?: number;

  static from(this: void, def: ScoreRangeDef): ScoreRange {
    return Object.assign(new ScoreRange(), def);
  }
}

@ObjectType({ description: 'Attributes of the person; every one set holds.', simpleResolvers: true })
export class PersonFilter {
  @Field(() => Boolean, { nullable: true })
  known?: boolean;

  @Field(() => String, { nullable: true })
  emailDomain?: string;

  @Field(() => String, { nullable: true })
  company?: string;

  @Field(() => ScoreRange, { nullable: true })
  score?: ScoreRange;

  @Field(() => DateOfActivity, { nullable: true })
  createdAt?: DateOfActivity;

  static from(this: void, def: PersonCriteriaDef): PersonFilter {
    return Object.assign(new PersonFilter(), {
      known: def.known,
      emailDomain: def.emailDomain,
      company: def.company,
      score: def.score ? ScoreRange.from(def.score) : undefined,
      createdAt: def.createdAt ? DateOfActivity.from(def.createdAt) : undefined,
    });
  }
}

/** smartList is a field resolver (person-filter.resolver.ts). */
@ObjectType()
export class MemberOfSmartListFilter {
  /** Raw id; the schema's smartListId is the global one. */
  rawSmartListId: string;

  @Field(() => ID, { simple: true })
  smartListId: string;

  @Field({ simple: true })
  negated: boolean;
}

/** campaign is a field resolver (person-filter.resolver.ts). */
@ObjectType()
export class WasInCampaignFilter {
  rawCampaignId: string;

  @Field(() => ID, { simple: true })
  campaignId: string;

  @Field(() => DateOfActivity, { nullable: true, simple: true })
  dateOfActivity: DateOfActivity | null;

  @Field({ simple: true })
  negated: boolean;
}

@ObjectType({
  description:
    'A filter of any kind, shaped as SmartListFilterInput: exactly one of activity (with its negated, constraints, dateOfActivity and minNumberOfTimes), person, memberOfSmartList and wasInCampaign is set.',
  simpleResolvers: true,
})
export class AnySmartListFilter {
  @Field(() => Int, { description: '1-based, as used by advancedLogic.' })
  position: number;

  @Field(() => ChatActivityType, { nullable: true })
  activity: ChatActivityType | null;

  @Field(() => Boolean, { nullable: true })
  negated: boolean | null;

  @Field(() => ActivityConstraints, { nullable: true })
  constraints: ActivityConstraints | null;

  @Field(() => DateOfActivity, { nullable: true })
  dateOfActivity: DateOfActivity | null;

  @Field(() => Int, { nullable: true })
  minNumberOfTimes: number | null;

  @Field(() => PersonFilter, { nullable: true })
  person: PersonFilter | null;

  @Field(() => MemberOfSmartListFilter, { nullable: true })
  memberOfSmartList: MemberOfSmartListFilter | null;

  @Field(() => WasInCampaignFilter, { nullable: true })
  wasInCampaign: WasInCampaignFilter | null;

  static from(this: void, def: AnyFilterDef): AnySmartListFilter {
    const out: AnySmartListFilter = Object.assign(new AnySmartListFilter(), {
      position: def.position,
      activity: null,
      negated: null,
      constraints: null,
      dateOfActivity: null,
      minNumberOfTimes: null,
      person: null,
      memberOfSmartList: null,
      wasInCampaign: null,
    });
    if (isActivityFilter(def)) {
      return Object.assign(out, {
        activity: def.activity,
        negated: def.negated,
        constraints: ActivityConstraints.from(def.constraints),
        dateOfActivity: def.dateOfActivity ? DateOfActivity.from(def.dateOfActivity) : null,
        minNumberOfTimes: def.minNumberOfTimes,
      });
    }
    switch (def.kind) {
      case 'person':
        out.person = PersonFilter.from(def.person);
        break;
      case 'memberOfSmartList':
        out.memberOfSmartList = Object.assign(new MemberOfSmartListFilter(), {
          rawSmartListId: def.smartListId,
          smartListId: toGlobalId('SmartList', def.smartListId),
          negated: def.negated,
        });
        break;
      case 'wasInCampaign':
        out.wasInCampaign = Object.assign(new WasInCampaignFilter(), {
          rawCampaignId: def.campaignId,
          campaignId: toGlobalId('Campaign', def.campaignId),
          dateOfActivity: def.dateOfActivity ? DateOfActivity.from(def.dateOfActivity) : null,
          negated: def.negated,
        });
        break;
    }
    return out;
  }
}
