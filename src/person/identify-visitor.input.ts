import { Length } from 'class-validator';
import { IsNotBlank } from '../shared/validation';
import { Field, InputType } from 'type-graphql';
import { PersonInput } from '../activity/record-activity.input';

/** The identity fields are those a recorded activity may carry (PersonInput), plus the visitor to attach. */
@InputType()
export class IdentifyVisitorInput extends PersonInput {
  @Field()
  @Length(1, 128)
  @IsNotBlank()
  visitorId: string;
}
