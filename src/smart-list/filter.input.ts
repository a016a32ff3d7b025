import { Field, InputType, Int } from 'type-graphql';
import { ChatActivityType, ChatKind, MeetingStatus } from '../activity/activity.entity';
import { TimeUnit } from './filter.model';
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

@InputType({ description: 'Exactly one operator must be set.' })
export class TextMatchInput {
  @Field(() => [String], { nullable: true })
  is?: string[] | null;

  @Field(() => [String], { nullable: true })
  isNot?: string[] | null;

  @Field(() => [String], { nullable: true })
  contains?: string[] | null;

  @Field(() => [String], { nullable: true })
  startsWith?: string[] | null;
}

@InputType({
  description:
    'Exactly one of inPast, inPastBefore, before (exclusive), after (inclusive), or the pair betweenFrom/betweenTo (from inclusive, to exclusive).',
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
