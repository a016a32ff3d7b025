import { Field, InterfaceType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Agent, Chat, Document } from '../catalog/catalog.type';
import { Node, toGlobalId } from '../graphql/node';
import { encodeCursor } from '../shared/cursor';
import {
  ActivityEntity,
  ChatActivityType,
  ChatKind,
  ConversationStatus,
  MeetingStatus,
  PromptType,
} from './activity.entity';

registerEnumType(ChatActivityType, {
  name: 'ChatActivityType',
  description: 'The seven Dynamic Chat activities.',
  valuesConfig: {
    TRIGGERED: {
      description:
        'A dialogue or conversational flow met its targeting and was shown. Once per visitor, session and chat.',
    },
    ENGAGED: {
      description:
        'First click on a prompt of the dialogue or flow (opening it is not enough). Once per visitor, session and chat.',
    },
    ENGAGED_WITH_AGENT: { description: 'The visitor talked with a live agent. Once per visitor, session and chat.' },
    INTERACTED_WITH_DOCUMENT: { description: 'Clicked a document on a document card. Any number of times.' },
    GOAL_ACHIEVED: { description: 'Reached a goal defined in the dialogue or flow. Any number of times.' },
    MEETING_SCHEDULED: { description: 'Booked a meeting with an agent. Any number of times.' },
    LINK_CLICKED: {
      description:
        "Clicked a link in a dialogue or conversational flow (Marketo's Clicked Link in Chat). Any number of times.",
    },
  },
});
registerEnumType(ConversationStatus, {
  name: 'ConversationStatus',
  description:
    'An engagement\'s conversation, Sales Insight\'s "Engaged Dialogue: Status". Only moves forward: INITIATED, then DROPPED, then COMPLETED.',
  valuesConfig: {
    INITIATED: { description: 'Engaged; the conversation has not ended (every engagement starts so).' },
    DROPPED: { description: 'The visitor left the conversation unfinished; resuming it may still complete it.' },
    COMPLETED: { description: 'The conversation reached its end. Final.' },
  },
});
registerEnumType(ChatKind, { name: 'ChatKind' });
registerEnumType(PromptType, {
  name: 'PromptType',
  description: 'The kind of prompt whose first click counts as ENGAGED.',
});
registerEnumType(MeetingStatus, { name: 'MeetingStatus' });

@ObjectType({ simpleResolvers: true })
export class Meeting {
  @Field()
  startsAt: Date;

  @Field(() => Int, { nullable: true })
  durationMinutes: number | null;

  /** Resolved as the agent is now (catalog.resolver.ts), from this id. */
  @Field(() => Agent)
  agent?: never;

  agentId: string;
  /** The agent's name on this activity, shown only if the agent is missing from the catalog. */
  agentName: string;

  @Field(() => MeetingStatus, { description: 'The status this activity recorded (a later one may have changed it).' })
  status: MeetingStatus;

  @Field(() => String, {
    nullable: true,
    description:
      "The booking's id (MeetingInput.id) its reschedules and cancellations share; null when the widget sent none.",
  })
  bookingId: string | null;
}

@ObjectType({ simpleResolvers: true })
export class Link {
  @Field()
  url: string;

  @Field(() => String, { nullable: true })
  text: string | null;
}

/**
 * Activity types are read in pages: `simpleResolvers` lets plain fields use
 * graphql-js's default resolver instead of type-graphql's per-field wrapper
 * (no middleware or auth runs on them anyway).
 *
 * The fields every activity has. `person` is resolved from `personId` by a
 * field resolver (batched per request), so it is not stored on the object.
 */
@InterfaceType({
  implements: Node,
  description: 'One recorded Dynamic Chat activity. Concrete types add what is specific to each activity.',
  // No resolveType: type-graphql's default picks the concrete type by class, synchronously, which is why every
  // resolver returns toActivity(row). A custom one is wrapped in an async function by type-graphql, so each node
  // of a page became a promise in graphql-js (and the edges and the page with it).
})
export abstract class Activity implements Node {
  /** The raw id; the schema's `id` is the global one (Node). */
  id: string;

  get nodeId(): string {
    return toGlobalId('Activity', this.id);
  }

  @Field(() => ChatActivityType)
  type: ChatActivityType;

  @Field({
    description: "When it happened in the visitor's browser (or when it was received, if the widget sent no time).",
  })
  occurredAt: Date;

  @Field({ description: 'When the server stored it.' })
  recordedAt: Date;

  personId: string;

  @Field()
  visitorId: string;

  @Field()
  sessionId: string;

  /** Resolved as the chat is now (catalog.resolver.ts), from the three below. */
  @Field(() => Chat)
  chat?: never;

  chatId: string;
  chatKind: ChatKind;
  /** The chat's name on this activity, shown only if the chat is missing from the catalog. */
  chatName: string;

  @Field(() => String, { nullable: true })
  pageUrl: string | null;

  @Field(() => String, { nullable: true })
  clientEventId: string | null;

  /** Position in the workspace's activity stream; the cursor is made only when asked for. */
  streamSeq: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Position in the workspace's activity stream: pass it as `after` to activityRecorded to resume right after this activity.",
  })
  get streamCursor(): string | null {
    return this.streamSeq === null ? null : encodeCursor([this.streamSeq]);
  }
}

@ObjectType({ implements: [Activity, Node], simpleResolvers: true })
export class ChatTriggeredActivity extends Activity {}

@ObjectType({ implements: [Activity, Node], simpleResolvers: true })
export class ChatEngagedActivity extends Activity {
  @Field(() => PromptType, { nullable: true })
  prompt: PromptType | null;

  @Field(() => ConversationStatus, { description: 'Moved forward by updateConversation.' })
  conversationStatus: ConversationStatus;
}

@ObjectType({ implements: [Activity, Node], simpleResolvers: true })
export class AgentEngagedActivity extends Activity {
  /** Resolved as the agent is now (catalog.resolver.ts). */
  @Field(() => Agent)
  agent?: never;

  agentId: string;
  agentName: string;
}

@ObjectType({ implements: [Activity, Node], simpleResolvers: true })
export class DocumentInteractedActivity extends Activity {
  /** Resolved as the document is now (catalog.resolver.ts). */
  @Field(() => Document)
  document?: never;

  documentId: string;
  documentName: string;
  documentUrl: string | null;
}

@ObjectType({ implements: [Activity, Node], simpleResolvers: true })
export class GoalAchievedActivity extends Activity {
  @Field()
  goal: string;
}

@ObjectType({ implements: [Activity, Node], simpleResolvers: true })
export class MeetingScheduledActivity extends Activity {
  @Field(() => Meeting)
  meeting: Meeting;
}

@ObjectType({ implements: [Activity, Node], simpleResolvers: true })
export class LinkClickedActivity extends Activity {
  @Field(() => Link)
  link: Link;
}

export const ACTIVITY_TYPES = [
  ChatTriggeredActivity,
  ChatEngagedActivity,
  AgentEngagedActivity,
  DocumentInteractedActivity,
  GoalAchievedActivity,
  MeetingScheduledActivity,
  LinkClickedActivity,
];

/** Maps a stored row to its concrete GraphQL type. Also accepts a row that crossed Redis (dates as strings). */
export function toActivity(row: ActivityEntity): Activity {
  const date = (value: Date | string) => (value instanceof Date ? value : new Date(value));
  const base = {
    id: row.id,
    type: row.type,
    occurredAt: date(row.occurredAt),
    recordedAt: date(row.recordedAt),
    personId: row.personId,
    visitorId: row.visitorId,
    sessionId: row.sessionId,
    chatId: row.chatId,
    chatKind: row.chatKind,
    chatName: row.chatName,
    pageUrl: row.pageUrl,
    clientEventId: row.clientEventId,
    streamSeq: row.streamSeq,
  };
  switch (row.type) {
    case ChatActivityType.TRIGGERED:
      return Object.assign(new ChatTriggeredActivity(), base);
    case ChatActivityType.ENGAGED:
      return Object.assign(new ChatEngagedActivity(), base, {
        prompt: row.prompt,
        conversationStatus: row.conversationStatus ?? ConversationStatus.INITIATED,
      });
    case ChatActivityType.ENGAGED_WITH_AGENT:
      return Object.assign(new AgentEngagedActivity(), base, { agentId: row.agentId, agentName: row.agentName });
    case ChatActivityType.INTERACTED_WITH_DOCUMENT:
      return Object.assign(new DocumentInteractedActivity(), base, {
        documentId: row.documentId,
        documentName: row.documentName,
        documentUrl: row.documentUrl,
      });
    case ChatActivityType.GOAL_ACHIEVED:
      return Object.assign(new GoalAchievedActivity(), base, { goal: row.goal });
    case ChatActivityType.MEETING_SCHEDULED:
      return Object.assign(new MeetingScheduledActivity(), base, {
        meeting: Object.assign(new Meeting(), {
          startsAt: date(row.meetingStartsAt!),
          durationMinutes: row.meetingDurationMinutes,
          agentId: row.agentId,
          agentName: row.agentName,
          status: row.meetingStatus,
          bookingId: row.meetingId ?? null,
        }),
      });
    case ChatActivityType.LINK_CLICKED:
      return Object.assign(new LinkClickedActivity(), base, {
        link: Object.assign(new Link(), { url: row.linkUrl, text: row.linkText ?? null }),
      });
  }
}
