import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ChatActivityType, ChatKind, ConversationStatus, MeetingStatus } from '../activity/activity.entity';
import {
  type ConstraintsDef,
  type DateOfActivityDef,
  type DurationDef,
  type FilterDef,
  FilterLogic,
  NAME_CONSTRAINTS,
  TEXT_CONSTRAINTS,
  type TextMatchDef,
  TimeFrame,
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
registerEnumType(TimeFrame, {
  name: 'TimeFrame',
  description:
    "A calendar range in the workspace's time zone (Workspace.timeZone) around the time of evaluation: whole days, weeks from Monday, months, quarters from January, April, July and October, years.",
});

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

  @Field(() => [String], { nullable: true })
  notContains?: string[];

  @Field(() => [String], { nullable: true })
  notStartsWith?: string[];

  @Field(() => Boolean, { nullable: true })
  isEmpty?: boolean;

  static from(this: void, def: TextMatchDef): TextMatch {
    return Object.assign(new TextMatch(), { [def.operator]: def.operator === 'isEmpty' ? def.empty : def.values });
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

  @Field(() => Date, { nullable: true })
  onOrBefore?: Date;

  @Field(() => Date, { nullable: true })
  onOrAfter?: Date;

  @Field(() => TimeFrame, { nullable: true })
  inTimeFrame?: TimeFrame;

  static from(this: void, def: DateOfActivityDef): DateOfActivity {
    const out = new DateOfActivity();
    switch (def.kind) {
      case 'inPast':
      case 'inPastBefore':
        out[def.kind] = Duration.from(def.duration);
        break;
      case 'before':
      case 'after':
      case 'onOrBefore':
      case 'onOrAfter':
        out[def.kind] = new Date(def.at);
        break;
      case 'inTimeFrame':
        out.inTimeFrame = def.frame;
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
    'Constraints on the activity an activity filter or trigger looks at. All set constraints must hold. chat/agent/document match ids, chatName/agentName/documentName the current names; goal matches the goal name; pageUrl the page; link the url of a clicked link, linkText its text. A constraint that does not apply to the activity type is rejected with BAD_USER_INPUT (agent, agentName: ENGAGED_WITH_AGENT and MEETING_SCHEDULED; document, documentName: INTERACTED_WITH_DOCUMENT; goal: GOAL_ACHIEVED; link, linkText: LINK_CLICKED; meetingStatus and meetingCurrentStatus, any of: MEETING_SCHEDULED; conversationStatus, any of: ENGAGED).',
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

  @Field(() => TextMatch, { nullable: true })
  link?: TextMatch;

  @Field(() => TextMatch, { nullable: true })
  linkText?: TextMatch;

  @Field(() => TextMatch, { nullable: true })
  chatName?: TextMatch;

  @Field(() => TextMatch, { nullable: true })
  agentName?: TextMatch;

  @Field(() => TextMatch, { nullable: true })
  documentName?: TextMatch;

  @Field(() => [MeetingStatus], { nullable: true })
  meetingCurrentStatus?: MeetingStatus[];

  @Field(() => [ConversationStatus], { nullable: true })
  conversationStatus?: ConversationStatus[];

  static from(this: void, def: ConstraintsDef): ActivityConstraints {
    const out = Object.assign(new ActivityConstraints(), {
      chatKind: def.chatKind,
      meetingStatus: def.meetingStatus,
      meetingCurrentStatus: def.meetingCurrentStatus,
      conversationStatus: def.conversationStatus,
    });
    for (const name of [...TEXT_CONSTRAINTS, ...NAME_CONSTRAINTS]) {
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
