import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Activity } from './activity.type';

import { RecordOutcome } from './activity.model';

export { RecordOutcome };

registerEnumType(RecordOutcome, {
  name: 'RecordOutcome',
  valuesConfig: {
    RECORDED: { description: 'Stored now.' },
    DUPLICATE_REQUEST: {
      description: 'Same clientEventId seen before: the first result is returned, nothing new is stored.',
    },
    ALREADY_LOGGED_IN_SESSION: {
      description:
        'A once-per-session activity already logged for this visitor, session and chat: the existing one is returned.',
    },
  },
});

@ObjectType()
export class RecordChatActivityPayload {
  @Field(() => RecordOutcome)
  outcome: RecordOutcome;

  @Field(() => Activity)
  activity: Activity;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'With `person`: whether the identity was verified (a valid identityHash, or a key that is not public). Null without `person`.',
  })
  identityVerified: boolean | null;
}

@ObjectType()
export class UserError {
  @Field()
  code: string;

  @Field()
  message: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Path of the offending input field, e.g. ["inputs", "3", "chat", "id"].',
  })
  field: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Set on INTERNAL_SERVER_ERROR: the request id under which the server logged what went wrong.',
  })
  requestId: string | null;
}

@ObjectType({ description: 'One result per input, in input order: a payload or an error, never both.' })
export class RecordChatActivityResult {
  @Field(() => Int)
  index: number;

  @Field(() => RecordChatActivityPayload, { nullable: true })
  payload: RecordChatActivityPayload | null;

  @Field(() => UserError, { nullable: true })
  error: UserError | null;
}
