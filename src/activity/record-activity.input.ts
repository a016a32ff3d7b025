import { IsEmail, IsInt, IsNotEmpty, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { ChatActivityType, ChatKind, MeetingStatus, PromptType } from './activity.entity';

import { IsHttpUrl, IsNotBlank } from '../shared/validation';

// Ids and names must carry something visible (IsNotBlank): an all-blank or invisible value is as good as missing.

@InputType()
export class ChatInput {
  @Field(() => ChatKind)
  kind: ChatKind;

  @Field(() => ID, { description: '1..128 characters' })
  @Length(1, 128)
  @IsNotBlank()
  id: string;

  @Field({ description: '1..255 characters' })
  @Length(1, 255)
  @IsNotBlank()
  name: string;
}

@InputType()
export class AgentInput {
  @Field(() => ID)
  @Length(1, 128)
  @IsNotBlank()
  id: string;

  @Field()
  @Length(1, 255)
  @IsNotBlank()
  name: string;
}

@InputType()
export class DocumentInput {
  @Field(() => ID)
  @Length(1, 128)
  @IsNotBlank()
  id: string;

  @Field()
  @Length(1, 255)
  @IsNotBlank()
  name: string;

  @Field(() => String, { nullable: true, description: 'An absolute http(s) URL, at most 2048 characters.' })
  @IsHttpUrl()
  url?: string | null;
}

@InputType({ description: 'The link a LINK_CLICKED activity is about.' })
export class LinkInput {
  @Field({ description: 'An absolute http(s) URL, 1..2048 characters.' })
  @IsHttpUrl()
  url: string;

  @Field(() => String, { nullable: true, description: "The link's text, 1..255 characters; none for e.g. an image." })
  @Length(1, 255)
  @IsNotBlank()
  text?: string | null;
}

@InputType({
  description:
    'A reschedule or cancellation is recorded as a new MEETING_SCHEDULED activity with that status and the same id.',
})
export class MeetingInput {
  @Field(() => ID, {
    nullable: true,
    description:
      "The booking's id, 1..128 characters: a reschedule or cancellation names the booking it changes, so meetingCurrentStatus knows the booking's latest status. Without it, each activity is a booking of its own.",
  })
  @Length(1, 128)
  @IsNotBlank()
  id?: string | null;

  @Field()
  startsAt: Date;

  @Field(() => Int, { nullable: true })
  @IsInt()
  @Min(1)
  @Max(1440)
  durationMinutes?: number | null;

  @Field(() => AgentInput)
  @ValidateNested()
  agent: AgentInput;

  @Field(() => MeetingStatus, { nullable: true, defaultValue: MeetingStatus.SCHEDULED })
  status?: MeetingStatus | null;
}

@InputType({
  description: 'Known identity sent with an activity, e.g. after the visitor submitted an email in the chat.',
})
export class PersonInput {
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

  @Field(() => String, {
    nullable: true,
    description:
      "Proves the e-mail: hex(HMAC-SHA256(workspace identity secret, lowercase(trimmed email))), computed by the customer's backend, never in the browser. See identityVerificationSettings.",
  })
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'identityHash must be 64 hexadecimal digits (a hex HMAC-SHA256)' })
  identityHash?: string | null;
}

@InputType({
  description: `What the widget sends. Type-specific fields are required for their type and
rejected (BAD_USER_INPUT) for the others: prompt (ENGAGED, optional),
agent (ENGAGED_WITH_AGENT), document (INTERACTED_WITH_DOCUMENT),
goal (GOAL_ACHIEVED), meeting (MEETING_SCHEDULED), link (LINK_CLICKED).`,
})
export class RecordChatActivityInput {
  @Field(() => String, {
    nullable: true,
    description:
      'Idempotency key chosen by the client, 1..128 characters, unique per workspace. A retry with the same key and the same content returns the first result; with other content it is a CONFLICT.',
  })
  @Length(1, 128)
  @IsNotBlank()
  clientEventId?: string | null;

  @Field(() => ChatActivityType)
  type: ChatActivityType;

  @Field({ description: 'The anonymous visitor (cookie) id, 1..128 characters.' })
  @Length(1, 128)
  @IsNotBlank()
  visitorId: string;

  @Field({ description: 'The browser chat session, 1..128 characters.' })
  @Length(1, 128)
  @IsNotBlank()
  sessionId: string;

  @Field(() => Date, {
    nullable: true,
    description: 'Defaults to the time of receipt. At most 5 minutes in the future, at most 30 days in the past.',
  })
  occurredAt?: Date | null;

  @Field(() => ChatInput)
  @IsNotEmpty()
  @ValidateNested()
  chat: ChatInput;

  @Field(() => String, { nullable: true, description: 'An absolute http(s) URL, at most 2048 characters.' })
  @IsHttpUrl()
  pageUrl?: string | null;

  @Field(() => PromptType, { nullable: true })
  prompt?: PromptType | null;

  @Field(() => AgentInput, { nullable: true })
  @ValidateNested()
  agent?: AgentInput | null;

  @Field(() => DocumentInput, { nullable: true })
  @ValidateNested()
  document?: DocumentInput | null;

  @Field(() => String, { nullable: true })
  @Length(1, 255)
  @IsNotBlank()
  goal?: string | null;

  @Field(() => MeetingInput, { nullable: true })
  @ValidateNested()
  meeting?: MeetingInput | null;

  @Field(() => LinkInput, { nullable: true })
  @ValidateNested()
  link?: LinkInput | null;

  @Field(() => PersonInput, {
    nullable: true,
    description:
      'Identifies the visitor as this person (same effect as identifyVisitor) before the activity is stored.',
  })
  @ValidateNested()
  person?: PersonInput | null;
}
