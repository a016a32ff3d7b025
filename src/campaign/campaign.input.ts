import { Field, InputType, Int } from 'type-graphql';
import { ChatActivityType } from '../activity/activity.entity';
import { FilterLogic } from '../smart-list/filter.model';
import { ActivityConstraintsInput, DurationInput, SmartListFilterInput } from '../smart-list/filter.input';
import { FlowAction, QualificationKind } from './campaign.model';

/* Checked as a whole by parseCampaignInput (campaign.parser.ts), which names the offending field. */

@InputType()
export class CampaignTriggerInput {
  @Field(() => ChatActivityType)
  activity: ChatActivityType;

  @Field(() => ActivityConstraintsInput, { nullable: true })
  constraints?: ActivityConstraintsInput | null;
}

@InputType()
export class QualificationInput {
  @Field(() => QualificationKind)
  kind: QualificationKind;

  @Field(() => DurationInput, { nullable: true, description: 'Required for ONCE_EVERY.' })
  interval?: DurationInput | null;
}

@InputType()
export class FlowStepInput {
  @Field(() => FlowAction)
  action: FlowAction;

  @Field(() => [ActivityConstraintsInput], { nullable: true })
  conditions?: ActivityConstraintsInput[] | null;

  @Field(() => Int, { nullable: true })
  scoreDelta?: number | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true })
  webhookUrl?: string | null;
}

@InputType()
export class CampaignInput {
  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [CampaignTriggerInput], { description: '1..10 triggers.' })
  triggers: CampaignTriggerInput[];

  @Field(() => FilterLogic, { nullable: true, defaultValue: FilterLogic.ALL })
  filterLogic?: FilterLogic | null;

  @Field(() => String, { nullable: true })
  advancedLogic?: string | null;

  @Field(() => [SmartListFilterInput], { nullable: true })
  filters?: SmartListFilterInput[] | null;

  @Field(() => QualificationInput, { nullable: true })
  qualification?: QualificationInput | null;

  @Field(() => [FlowStepInput], { nullable: true })
  flow?: FlowStepInput[] | null;
}
