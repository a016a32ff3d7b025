import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { rawIdOf } from '../graphql/node';
import type { RequestContext } from '../graphql/context';
import { ApiKey, CreatedApiKey, Viewer, Workspace } from './api-key.type';
import { Scope } from './scope';

@Resolver()
export class ApiKeyResolver {
  /** Any valid key may ask who it is. */
  @Authorized()
  @Query(() => Viewer)
  async viewer(@Ctx() ctx: RequestContext): Promise<Viewer> {
    const auth = ctx.requireAuth();
    const [workspace, apiKey] = await Promise.all([
      ctx.services.apiKeys.getWorkspace(auth.workspaceId),
      ctx.services.apiKeys.get(auth.workspaceId, auth.apiKeyId),
    ]);
    return Object.assign(new Viewer(), { workspace: Workspace.from(workspace), apiKey: ApiKey.from(apiKey!) });
  }

  @Authorized(Scope.MANAGE)
  @Query(() => [ApiKey])
  async apiKeys(@Ctx() ctx: RequestContext): Promise<ApiKey[]> {
    const keys = await ctx.services.apiKeys.list(ctx.requireAuth().workspaceId);
    return keys.map(ApiKey.from);
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => CreatedApiKey)
  async createApiKey(
    @Ctx() ctx: RequestContext,
    @Arg('name') name: string,
    @Arg('scopes', () => [Scope]) scopes: Scope[],
  ): Promise<CreatedApiKey> {
    const { apiKey, secret } = await ctx.services.apiKeys.create(ctx.requireAuth().workspaceId, name, scopes);
    return Object.assign(new CreatedApiKey(), { apiKey: ApiKey.from(apiKey), secret });
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => ApiKey)
  async revokeApiKey(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<ApiKey> {
    return ApiKey.from(await ctx.services.apiKeys.revoke(ctx.requireAuth().workspaceId, rawIdOf(id, 'ApiKey')));
  }
}
