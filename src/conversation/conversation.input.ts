import { Length } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { ConversationStatus } from '../activity/activity.entity';
import { IsNotBlank } from '../shared/validation';

@InputType({ description: "Sets the conversation status of a session's engagement (its ENGAGED activity)." })
export class UpdateConversationInput {
  @Field({ description: 'The visitor of the engagement, 1..128 characters.' })
  @Length(1, 128)
  @IsNotBlank()
  visitorId: string;

  @Field({ description: 'The session of the engagement, 1..128 characters.' })
  @Length(1, 128)
  @IsNotBlank()
  sessionId: string;

  @Field(() => ID, { description: "The chat's widget id (ChatInput.id), 1..128 characters." })
  @Length(1, 128)
  @IsNotBlank()
  chat: string;

  @Field(() => ConversationStatus)
  status: ConversationStatus;

  @Field(() => String, {
    nullable: true,
    description:
      'Idempotency key, 1..128 characters, unique per workspace among conversation updates: a retry with the same key and content gets the first answer; with other content it is a CONFLICT.',
  })
  @Length(1, 128)
  @IsNotBlank()
  clientEventId?: string | null;
}
