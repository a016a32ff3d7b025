import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { ChatEngagedActivity } from '../activity/activity.type';
import { ConversationUpdateOutcome } from './conversation.model';

registerEnumType(ConversationUpdateOutcome, {
  name: 'ConversationUpdateOutcome',
  valuesConfig: {
    UPDATED: { description: 'The status moved forward to the one sent.' },
    UNCHANGED: { description: 'The engagement already had that status; nothing changed.' },
    NOT_APPLIED: {
      description:
        'The engagement is already further along (a late or backward update, e.g. DROPPED after COMPLETED): not applied; activity shows the status it keeps.',
    },
  },
});

@ObjectType()
export class UpdateConversationPayload {
  @Field(() => ConversationUpdateOutcome, { description: "With a clientEventId seen before: the first call's." })
  outcome: ConversationUpdateOutcome;

  @Field({ description: 'The clientEventId was seen before: nothing was done now, and outcome is the first answer.' })
  duplicate: boolean;

  @Field(() => ChatEngagedActivity, { description: 'The engagement as it is now.' })
  activity: ChatEngagedActivity;
}
