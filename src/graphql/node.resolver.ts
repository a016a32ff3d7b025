import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { activityLoader } from '../activity/activity.loader';
import { toActivity } from '../activity/activity.type';
import { apiKeyLoader } from '../auth/api-key.loader';
import { ApiKey, Workspace } from '../auth/api-key.type';
import { Scope } from '../auth/scope';
import { campaignLoader, runLoader } from '../campaign/campaign.loader';
import { Campaign, CampaignRun } from '../campaign/campaign.type';
import { catalogLoader } from '../catalog/catalog.loader';
import { CatalogType } from '../catalog/catalog.model';
import { Agent, Chat, Document } from '../catalog/catalog.type';
import { deliveryLoader } from '../delivery/delivery.loader';
import { Delivery } from '../delivery/delivery.type';
import { personLoader } from '../person/person.loader';
import { Person } from '../person/person.type';
import { smartListLoader } from '../smart-list/smart-list.loader';
import { SmartList } from '../smart-list/smart-list.type';
import { UserInputError } from '../shared/errors';
import type { RequestContext } from './context';
import { fromGlobalId, Node, splitCatalogRawId, type NodeType } from './node';

export const MAX_NODES = 100;

/**
 * The scope each type's own query needs (person, activity, smartList, ...,
 * apiKeys); null: any valid key (a workspace is its key's own).
 */
const SCOPE: Record<NodeType, Scope | null> = {
  Person: Scope.READ,
  Activity: Scope.READ,
  SmartList: Scope.READ,
  Campaign: Scope.READ,
  CampaignRun: Scope.READ,
  Delivery: Scope.READ,
  ApiKey: Scope.MANAGE,
  Workspace: null,
  Chat: Scope.READ,
  Agent: Scope.READ,
  Document: Scope.READ,
};

const CATALOG: Partial<Record<NodeType, CatalogType>> = {
  Chat: CatalogType.CHAT,
  Agent: CatalogType.AGENT,
  Document: CatalogType.DOCUMENT,
};

/**
 * One id: its type says which loader reads it (one query per type for all
 * the ids of a request). Access as the type's own query has it: a missing
 * scope is FORBIDDEN whether or not the object exists; an id of another
 * workspace, or that is not a global id of ours, is null.
 */
async function resolveNode(ctx: RequestContext, id: string): Promise<Node | null> {
  ctx.requireAuth();
  const global = fromGlobalId(id);
  if (!global) return null;
  const { type, rawId } = global;
  const scope = SCOPE[type];
  const auth = scope ? ctx.requireScope(scope) : ctx.requireAuth();
  const or = <T, N>(row: T | null, to: (row: T) => N): N | null => (row ? to(row) : null);
  switch (type) {
    case 'Person':
      return or(await personLoader(ctx).load(rawId), (row) => Person.from(row));
    case 'Activity':
      return or(await activityLoader(ctx).load(rawId), toActivity);
    case 'SmartList':
      return or(await smartListLoader(ctx).load(rawId), SmartList.from);
    case 'Campaign':
      return or(await campaignLoader(ctx).load(rawId), Campaign.from);
    case 'CampaignRun':
      return or(await runLoader(ctx).load(rawId), (row) => CampaignRun.from(row));
    case 'Delivery':
      return or(await deliveryLoader(ctx).load(rawId), Delivery.from);
    case 'ApiKey':
      return or(await apiKeyLoader(ctx).load(rawId), ApiKey.from);
    case 'Workspace':
      return rawId === auth.workspaceId ? Workspace.from(await ctx.services.apiKeys.getWorkspace(rawId)) : null;
    case 'Chat':
    case 'Agent':
    case 'Document': {
      const key = splitCatalogRawId(rawId);
      if (!key || key.workspaceId !== auth.workspaceId) return null;
      const entry = await catalogLoader(ctx).load({ type: CATALOG[type]!, widgetId: key.widgetId });
      if (!entry) return null;
      return type === 'Chat' ? Chat.from(entry) : type === 'Agent' ? Agent.from(entry) : Document.from(entry);
    }
  }
}

@Resolver()
export class NodeResolver {
  // Any valid key; then each id as its type's own query (resolveNode).
  @Authorized()
  @Query(() => Node, { nullable: true, description: 'The object with this global id (any type implementing Node).' })
  node(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Node | null> {
    return resolveNode(ctx, id);
  }

  @Authorized()
  @Query(() => [Node], {
    nullable: 'items',
    description: `The objects with these global ids, in order (at most ${MAX_NODES}); null where one is not found, with an error where access is refused.`,
  })
  nodes(@Ctx() ctx: RequestContext, @Arg('ids', () => [ID]) ids: string[]): Array<Promise<Node | null>> {
    ctx.requireAuth();
    if (ids.length > MAX_NODES)
      throw new UserInputError(`ids must hold at most ${MAX_NODES} ids`, ['ids'], 'TOO_MANY_IDS');
    // One promise per item: a refused one is an error at its own index, the others still resolve.
    return ids.map((id) => resolveNode(ctx, id));
  }
}
