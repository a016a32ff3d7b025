import { Field, InputType, Int } from 'type-graphql';
import { ChatActivityType, ChatKind, ConversationStatus, MeetingStatus } from '../activity/activity.entity';
import { TimeFrame, TimeUnit } from './filter.model';
import { MemberOfSmartListInput, PersonFilterInput, WasInCampaignInput } from './person-filter.input';

/*
 * Filter inputs carry no class-validator rules: their rules depend on each
 * other (one operator of several, constraints that apply to the activity
 * type, advancedLogic over the filters), so filter.parser.ts checks them as a
 * whole and names the field of the first problem.
 */

@InputType()
export class DurationInput {
  @Field(() => Int)
  amount: number;

  @Field(() => TimeUnit)
  unit: TimeUnit;
}

@InputType({
  description:
    'Exactly one operator must be set. Case-insensitive; any of the values. Every operator but isEmpty holds only for a present value (isNot, notContains and notStartsWith never hold for a missing one); isEmpty: true holds for a missing or empty value, false for a present one.',
})
export class TextMatchInput {
  @Field(() => [String], { nullable: true })
  is?: string[] | null;

  @Field(() => [String], { nullable: true })
  isNot?: string[] | null;

  @Field(() => [String], { nullable: true })
  contains?: string[] | null;

  @Field(() => [String], { nullable: true })
  startsWith?: string[] | null;

  @Field(() => [String], { nullable: true })
  notContains?: string[] | null;

  @Field(() => [String], { nullable: true })
  notStartsWith?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  isEmpty?: boolean | null;
}

@InputType({
  description:
    "Exactly one of inPast, inPastBefore, before (exclusive), after (inclusive), onOrBefore (inclusive), onOrAfter (inclusive), inTimeFrame (a calendar range in the workspace's time zone), or the pair betweenFrom/betweenTo (from inclusive, to exclusive).",
})
export class DateOfActivityInput {
  @Field(() => DurationInput, { nullable: true })
  inPast?: DurationInput | null;

  @Field(() => DurationInput, { nullable: true })
  inPastBefore?: DurationInput | null;

  @Field(() => Date, { nullable: true })
  before?: Date | null;

  @Field(() => Date, { nullable: true })
  after?: Date | null;

  @Field(() => Date, { nullable: true })
  betweenFrom?: Date | null;

  @Field(() => Date, { nullable: true })
  betweenTo?: Date | null;

  @Field(() => Date, { nullable: true })
  onOrBefore?: Date | null;

  @Field(() => Date, { nullable: true })
  onOrAfter?: Date | null;

  @Field(() => TimeFrame, { nullable: true })
  inTimeFrame?: TimeFrame | null;
}

@InputType()
export class ActivityConstraintsInput {
  @Field(() => ChatKind, { nullable: true })
  chatKind?: ChatKind | null;

  @Field(() => TextMatchInput, { nullable: true })
  chat?: TextMatchInput | null;

  @Field(() => TextMatchInput, { nullable: true })
  agent?: TextMatchInput | null;

  @Field(() => TextMatchInput, { nullable: true })
  document?: TextMatchInput | null;

  @Field(() => TextMatchInput, { nullable: true })
  goal?: TextMatchInput | null;

  @Field(() => TextMatchInput, { nullable: true })
  pageUrl?: TextMatchInput | null;

  @Field(() => [MeetingStatus], { nullable: true })
  meetingStatus?: MeetingStatus[] | null;

  @Field(() => TextMatchInput, { nullable: true, description: "LINK_CLICKED: the link's url (Marketo's Link)." })
  link?: TextMatchInput | null;

  @Field(() => TextMatchInput, { nullable: true, description: "LINK_CLICKED: the link's text." })
  linkText?: TextMatchInput | null;

  @Field(() => TextMatchInput, { nullable: true, description: "The chat's current name." })
  chatName?: TextMatchInput | null;

  @Field(() => TextMatchInput, {
    nullable: true,
    description: "ENGAGED_WITH_AGENT and MEETING_SCHEDULED: the agent's current name.",
  })
  agentName?: TextMatchInput | null;

  @Field(() => TextMatchInput, {
    nullable: true,
    description: "INTERACTED_WITH_DOCUMENT: the document's current name.",
  })
  documentName?: TextMatchInput | null;

  @Field(() => [MeetingStatus], {
    nullable: true,
    description:
      "MEETING_SCHEDULED, any of: the status of the activity's booking now (its latest activity with that meeting.id), not of this row.",
  })
  meetingCurrentStatus?: MeetingStatus[] | null;

  @Field(() => [ConversationStatus], { nullable: true, description: "ENGAGED, any of: the conversation's status." })
  conversationStatus?: ConversationStatus[] | null;
}

@InputType({
  description:
    'Exactly one of activity (with negated, constraints, dateOfActivity and minNumberOfTimes), person, memberOfSmartList or wasInCampaign.',
})
export class SmartListFilterInput {
  @Field(() => ChatActivityType, { nullable: true, description: 'An activity filter: the person did this activity.' })
  activity?: ChatActivityType | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  negated?: boolean | null;

  @Field(() => ActivityConstraintsInput, { nullable: true })
  constraints?: ActivityConstraintsInput | null;

  @Field(() => DateOfActivityInput, { nullable: true })
  dateOfActivity?: DateOfActivityInput | null;

  @Field(() => Int, { nullable: true, defaultValue: 1, description: 'At least 1.' })
  minNumberOfTimes?: number | null;

  @Field(() => PersonFilterInput, { nullable: true })
  person?: PersonFilterInput | null;

  @Field(() => MemberOfSmartListInput, { nullable: true })
  memberOfSmartList?: MemberOfSmartListInput | null;

  @Field(() => WasInCampaignInput, { nullable: true })
  wasInCampaign?: WasInCampaignInput | null;
}
