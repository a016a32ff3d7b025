import { Field, ID, ObjectType } from 'type-graphql';
import { ChatKind } from '../activity/activity.entity';
import { type Connection, connectionType } from '../graphql/connection';
import { catalogRawId, Node, toGlobalId } from '../graphql/node';
import type { CatalogEntryEntity } from './catalog.entity';

const WIDGET_ID = (input: string, uses: string) =>
  `The id the widget gave it (${input}), unique in the workspace; ${uses} match it. \`id\` is its global id.`;

/**
 * Chats, agents and documents as they are now (the catalog entry), wherever
 * they appear: every activity of one chat shows the same object. `id` is the
 * Node id; the widget's own id is `widgetId`.
 */
@ObjectType({
  implements: Node,
  description: 'The dialogue or conversational flow an activity happened in, as it is now (its latest name).',
  simpleResolvers: true,
})
export class Chat implements Node {
  workspaceId: string;

  @Field(() => ID, { description: WIDGET_ID('ChatInput.id', 'ActivityFilter.chatIds and the `chat` constraint') })
  widgetId: string;

  @Field(() => ChatKind, { description: "Fixed by the chat's first activity." })
  kind: ChatKind;

  @Field({ description: 'The name of its latest activity.' })
  name: string;

  get nodeId(): string {
    return toGlobalId('Chat', catalogRawId(this.workspaceId, this.widgetId));
  }

  static from(this: void, entry: CatalogEntryEntity): Chat {
    return Object.assign(new Chat(), {
      workspaceId: entry.workspaceId,
      widgetId: entry.widgetId,
      kind: entry.chatKind,
      name: entry.name,
    });
  }
}

@ObjectType({ implements: Node, description: 'A live agent, as it is now (its latest name).', simpleResolvers: true })
export class Agent implements Node {
  workspaceId: string;

  @Field(() => ID, { description: WIDGET_ID('AgentInput.id', 'the `agent` constraint') })
  widgetId: string;

  @Field({ description: 'The name of its latest activity.' })
  name: string;

  get nodeId(): string {
    return toGlobalId('Agent', catalogRawId(this.workspaceId, this.widgetId));
  }

  static from(this: void, entry: CatalogEntryEntity): Agent {
    return Object.assign(new Agent(), { workspaceId: entry.workspaceId, widgetId: entry.widgetId, name: entry.name });
  }
}

@ObjectType({
  implements: Node,
  description: 'A document of a document card, as it is now (the name and url of its latest activity).',
  simpleResolvers: true,
})
export class Document implements Node {
  workspaceId: string;

  @Field(() => ID, { description: WIDGET_ID('DocumentInput.id', 'the `document` constraint') })
  widgetId: string;

  @Field({ description: 'The name of its latest activity.' })
  name: string;

  @Field(() => String, { nullable: true, description: 'The url of its latest activity (null if it sent none).' })
  url: string | null;

  get nodeId(): string {
    return toGlobalId('Document', catalogRawId(this.workspaceId, this.widgetId));
  }

  static from(this: void, entry: CatalogEntryEntity): Document {
    return Object.assign(new Document(), {
      workspaceId: entry.workspaceId,
      widgetId: entry.widgetId,
      name: entry.name,
      url: entry.url,
    });
  }
}

export const ChatConnection = connectionType('Chat', () => Chat);
export type ChatConnection = Connection<Chat>;

export const AgentConnection = connectionType('Agent', () => Agent);
export type AgentConnection = Connection<Agent>;

export const DocumentConnection = connectionType('Document', () => Document);
export type DocumentConnection = Connection<Document>;
