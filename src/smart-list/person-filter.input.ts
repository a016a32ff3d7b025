import { Field, ID, InputType, Int } from 'type-graphql';
import { DateOfActivityInput } from './filter.input';

/* Checked as a whole with the rest of the filter by filter.parser.ts / person-filter.parser.ts. */

@InputType({ description: 'Inclusive bounds; at least one, atLeast ≤ atMost.' })
export class ScoreRangeInput {
  @Field(() => Int, { nullable: true })
  atLeast?: number | null;

  @Field(() => Int, { nullable: true })
  atMost?: number | null;
}

@InputType({ description: 'Attributes of the person; every one set must hold, at least one is set.' })
export class PersonFilterInput {
  @Field(() => Boolean, { nullable: true, description: 'Known: the person has an e-mail address; false: anonymous.' })
  known?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The exact domain after "@", case-insensitive: "acme.io" matches ann@ACME.io, not bob@mail.acme.io. No "@".',
  })
  emailDomain?: string | null;

  @Field(() => String, { nullable: true, description: 'Exact company name, case-insensitive.' })
  company?: string | null;

  @Field(() => ScoreRangeInput, { nullable: true })
  score?: ScoreRangeInput | null;

  @Field(() => DateOfActivityInput, { nullable: true, description: 'When the person was created.' })
  createdAt?: DateOfActivityInput | null;
}

@InputType()
export class MemberOfSmartListInput {
  @Field(() => ID, {
    description: 'A list of the workspace. Lists nest at most 3 deep (a → b → c) and never in a cycle.',
  })
  smartListId: string;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Not a member.' })
  negated?: boolean | null;
}

@InputType()
export class WasInCampaignInput {
  @Field(() => ID, { description: 'A campaign of the workspace.' })
  campaignId: string;

  @Field(() => DateOfActivityInput, { nullable: true, description: 'When the campaign ran for the person.' })
  dateOfActivity?: DateOfActivityInput | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'Never ran for the person (in that time).',
  })
  negated?: boolean | null;
}
