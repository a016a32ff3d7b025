import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ChatActivityType, ChatKind, MeetingStatus } from '../activity/activity.entity';
import {
  type ConstraintsDef,
  type DateOfActivityDef,
  type DurationDef,
  type FilterDef,
  FilterLogic,
  TEXT_CONSTRAINTS,
  type TextMatchDef,
  TimeUnit,
} from './filter.model';

registerEnumType(FilterLogic, {
  name: 'FilterLogic',
  valuesConfig: {
    ALL: { description: 'Every filter must hold.' },
    ANY: { description: 'At least one filter must hold.' },
    ADVANCED: { description: 'advancedLogic decides, e.g. "1 and (2 or not 3)" over 1-based filter positions.' },
  },
});
registerEnumType(TimeUnit, { name: 'TimeUnit' });

@ObjectType({ simpleResolvers: true })
export class Duration {
  @Field(() => Int)
  amount: number;

  @Field(() => TimeUnit)
  unit: TimeUnit;

  static from(this: void, def: DurationDef): Duration {
    return Object.assign(new Duration(), def);
  }
}

@ObjectType({ description: 'Exactly one operator is set.', simpleResolvers: true })
export class TextMatch {
  @Field(() => [String], { nullable: true })
  is?: string[];

  @Field(() => [String], { nullable: true })
  isNot?: string[];

  @Field(() => [String], { nullable: true })
  contains?: string[];

  @Field(() => [String], { nullable: true })
  startsWith?: string[];

  static from(this: void, def: TextMatchDef): TextMatch {
    return Object.assign(new TextMatch(), { [def.operator]: def.values });
  }
}

@ObjectType({
  description:
    'Exactly one operator is set. inPast (within the last N) and inPastBefore (longer ago than N) are relative to the time of evaluation.',
  simpleResolvers: true,
})
export class DateOfActivity {
  @Field(() => Duration, { nullable: true })
  inPast?: Duration;

  @Field(() => Duration, { nullable: true })
  inPastBefore?: Duration;

  @Field(() => Date, { nullable: true })
  before?: Date;

  @Field(() => Date, { nullable: true })
  after?: Date;

  @Field(() => Date, { nullable: true })
  betweenFrom?: Date;

  @Field(() => Date, { nullable: true })
  betweenTo?: Date;

  static from(this: void, def: DateOfActivityDef): DateOfActivity {
    const out = new DateOfActivity();
    switch (def.kind) {
      case 'inPast':
      case 'inPastBefore':
        out[def.kind] = Duration.from(def.duration);
        break;
      case 'before':
      case 'after':
        out[def.kind] = new Date(def.at);
        break;
      case 'between':
        out.betweenFrom = new Date(def.from);
        out.betweenTo = new Date(def.to);
        break;
    }
    return out;
  }
}

@ObjectType({
  description:
    'Constraints on the activity an activity filter or trigger looks at. All set constraints must hold. chat/agent/document match ids; goal matches the goal name; pageUrl the page. A constraint that does not apply to the activity type is rejected with BAD_USER_INPUT (agent: ENGAGED_WITH_AGENT and MEETING_SCHEDULED; document: INTERACTED_WITH_DOCUMENT; goal: GOAL_ACHIEVED; meetingStatus, any of: MEETING_SCHEDULED).',
  simpleResolvers: true,
})
export class ActivityConstraints {
  @Field(() => ChatKind, { nullable: true })
  chatKind?: ChatKind;

  @Field(() => TextMatch, { nullable: true })
  chat?: TextMatch;

  @Field(() => TextMatch, { nullable: true })
  agent?: TextMatch;

  @Field(() => TextMatch, { nullable: true })
  document?: TextMatch;

  @Field(() => TextMatch, { nullable: true })
  goal?: TextMatch;

  @Field(() => TextMatch, { nullable: true })
  pageUrl?: TextMatch;

  @Field(() => [MeetingStatus], { nullable: true })
  meetingStatus?: MeetingStatus[];

  static from(this: void, def: ConstraintsDef): ActivityConstraints {
    const out = Object.assign(new ActivityConstraints(), { chatKind: def.chatKind, meetingStatus: def.meetingStatus });
    for (const name of TEXT_CONSTRAINTS) {
      const match = def[name];
      if (match) out[name] = TextMatch.from(match);
    }
    return out;
  }
}

@ObjectType({
  description:
    'A smart-list filter: the person has (or, negated, has not) done the activity with the constraints, at least minNumberOfTimes times within dateOfActivity.',
  simpleResolvers: true,
})
export class SmartListFilter {
  @Field(() => Int, { description: '1-based, as used by advancedLogic.' })
  position: number;

  @Field(() => ChatActivityType)
  activity: ChatActivityType;

  @Field()
  negated: boolean;

  @Field(() => ActivityConstraints)
  constraints: ActivityConstraints;

  @Field(() => DateOfActivity, { nullable: true })
  dateOfActivity: DateOfActivity | null;

  @Field(() => Int)
  minNumberOfTimes: number;

  static from(this: void, def: FilterDef): SmartListFilter {
    return Object.assign(new SmartListFilter(), {
      position: def.position,
      activity: def.activity,
      negated: def.negated,
      constraints: ActivityConstraints.from(def.constraints),
      dateOfActivity: def.dateOfActivity ? DateOfActivity.from(def.dateOfActivity) : null,
      minNumberOfTimes: def.minNumberOfTimes,
    });
  }
}
