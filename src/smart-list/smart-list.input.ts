import { Field, InputType } from 'type-graphql';
import { FilterLogic } from './filter.model';
import { SmartListFilterInput } from './filter.input';

/** Checked as a whole by SmartListService (filter.parser.ts), which names the offending field. */
@InputType()
export class SmartListInput {
  @Field({ description: 'Unique per workspace, 1..255 characters.' })
  name: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => FilterLogic, { nullable: true, defaultValue: FilterLogic.ALL })
  logic?: FilterLogic | null;

  @Field(() => String, { nullable: true })
  advancedLogic?: string | null;

  @Field(() => [SmartListFilterInput], { description: '1..25 filters.' })
  filters: SmartListFilterInput[];
}
