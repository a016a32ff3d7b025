import { Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { ChatKind } from '../activity/activity.entity';
import { Activity, AgentEngagedActivity, DocumentInteractedActivity, Meeting } from '../activity/activity.type';
import { Scope } from '../auth/scope';
import { ConnectionArgs, connectionFrom, decodeAfter } from '../graphql/connection';
import type { RequestContext } from '../graphql/context';
import { encodeCursor } from '../shared/cursor';
import { CatalogEntryEntity } from './catalog.entity';
import { catalogLoader, seenCatalogEntry } from './catalog.loader';
import { CatalogType } from './catalog.model';
import { Agent, AgentConnection, Chat, ChatConnection, Document, DocumentConnection } from './catalog.type';

@ArgsType()
class PickerArgs extends ConnectionArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Only names starting with this, in any case (otherwise exact: "cafe" does not find "Café").',
  })
  search?: string | null;
}

/**
 * The entry an activity names, as it is now. An entry is created with the
 * first activity that names one, so it is always there; the activity's own
 * copy is only a fallback that keeps a response whole if it were not.
 * Synchronous when the request has read the entry already (a timeline page
 * reads its chats with it): a page's fields then need no promise each.
 */
function current<T>(
  ctx: RequestContext,
  type: CatalogType,
  widgetId: string,
  fallback: { name: string; chatKind?: ChatKind; url?: string | null },
  as: (entry: CatalogEntryEntity) => T,
): T | Promise<T> {
  const orFallback = (entry: CatalogEntryEntity | null) =>
    as(
      entry ??
        Object.assign(new CatalogEntryEntity(), {
          workspaceId: ctx.requireAuth().workspaceId,
          type,
          widgetId,
          chatKind: fallback.chatKind ?? null,
          name: fallback.name,
          url: fallback.url ?? null,
        }),
    );
  const seen = seenCatalogEntry(ctx, { type, widgetId });
  if (seen !== undefined) return orFallback(seen);
  return catalogLoader(ctx).load({ type, widgetId }).then(orFallback);
}

@Resolver()
export class CatalogResolver {
  @Authorized(Scope.READ)
  @Query(() => ChatConnection, { description: "The workspace's chats in name order (any case), for pickers." })
  chats(@Ctx() ctx: RequestContext, @Args(() => PickerArgs) args: PickerArgs): Promise<ChatConnection> {
    return picker(ctx, CatalogType.CHAT, args, Chat.from);
  }

  @Authorized(Scope.READ)
  @Query(() => AgentConnection, { description: "The workspace's agents in name order (any case), for pickers." })
  agents(@Ctx() ctx: RequestContext, @Args(() => PickerArgs) args: PickerArgs): Promise<AgentConnection> {
    return picker(ctx, CatalogType.AGENT, args, Agent.from);
  }

  @Authorized(Scope.READ)
  @Query(() => DocumentConnection, { description: "The workspace's documents in name order (any case), for pickers." })
  documents(@Ctx() ctx: RequestContext, @Args(() => PickerArgs) args: PickerArgs): Promise<DocumentConnection> {
    return picker(ctx, CatalogType.DOCUMENT, args, Document.from);
  }
}

async function picker<T>(
  ctx: RequestContext,
  type: CatalogType,
  { first, after, search }: PickerArgs,
  toNode: (entry: CatalogEntryEntity) => T,
) {
  const key = decodeAfter<[string, string]>(after, ['string', 'string']);
  const rows = await ctx.services.catalog.list(ctx.requireAuth().workspaceId, type, {
    limit: first + 1,
    after: key ? { nameKey: key[0], widgetId: key[1] } : null,
    search,
  });
  return connectionFrom(rows, first, key !== null, (row) => encodeCursor([row.nameKey, row.widgetId]), toNode);
}

@Resolver(() => Activity)
export class ActivityChatResolver {
  @FieldResolver(() => Chat)
  chat(@Root() activity: Activity, @Ctx() ctx: RequestContext): Chat | Promise<Chat> {
    const fallback = { name: activity.chatName, chatKind: activity.chatKind };
    return current(ctx, CatalogType.CHAT, activity.chatId, fallback, Chat.from);
  }
}

@Resolver(() => AgentEngagedActivity)
export class AgentEngagedActivityResolver {
  @FieldResolver(() => Agent)
  agent(@Root() activity: AgentEngagedActivity, @Ctx() ctx: RequestContext): Agent | Promise<Agent> {
    return current(ctx, CatalogType.AGENT, activity.agentId, { name: activity.agentName }, Agent.from);
  }
}

@Resolver(() => DocumentInteractedActivity)
export class DocumentInteractedActivityResolver {
  @FieldResolver(() => Document)
  document(@Root() activity: DocumentInteractedActivity, @Ctx() ctx: RequestContext): Document | Promise<Document> {
    const fallback = { name: activity.documentName, url: activity.documentUrl };
    return current(ctx, CatalogType.DOCUMENT, activity.documentId, fallback, Document.from);
  }
}

@Resolver(() => Meeting)
export class MeetingAgentResolver {
  @FieldResolver(() => Agent)
  agent(@Root() meeting: Meeting, @Ctx() ctx: RequestContext): Agent | Promise<Agent> {
    return current(ctx, CatalogType.AGENT, meeting.agentId, { name: meeting.agentName }, Agent.from);
  }
}

/** Every resolver of the catalog feature. */
export const CATALOG_RESOLVERS = [
  CatalogResolver,
  ActivityChatResolver,
  AgentEngagedActivityResolver,
  DocumentInteractedActivityResolver,
  MeetingAgentResolver,
] as const;
