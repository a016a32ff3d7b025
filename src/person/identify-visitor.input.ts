import { IsEmail, Length, Matches, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType()
export class IdentifyVisitorInput {
  @Field()
  @Length(1, 128)
  @Matches(/\S/, { message: 'visitorId must not be blank' })
  visitorId: string;

  @Field()
  @MaxLength(320)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email: string;

  @Field(() => String, { nullable: true })
  @MaxLength(255)
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  @MaxLength(255)
  lastName?: string | null;

  @Field(() => String, { nullable: true })
  @MaxLength(255)
  company?: string | null;
}
