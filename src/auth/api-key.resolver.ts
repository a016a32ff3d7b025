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
    @Arg('scopes', () => [Scope], { description: 'Only scopes the calling key holds itself.' }) scopes: Scope[],
    @Arg('allowedOrigins', () => [String], {
      nullable: true,
      description:
        'Browser origins the key may be used from, as https://shop.example.com (at most 50); omitted: any. A request without an Origin header (a server) is not limited.',
    })
    allowedOrigins?: string[] | null,
  ): Promise<CreatedApiKey> {
    const auth = ctx.requireAuth();
    const { apiKey, secret } = await ctx.services.apiKeys.create(auth.workspaceId, name, scopes, {
      grantorScopes: auth.scopes,
      allowedOrigins,
    });
    return Object.assign(new CreatedApiKey(), { apiKey: ApiKey.from(apiKey), secret });
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => ApiKey, { description: "Replaces a key's origin allow-list; null or empty: any origin." })
  async setApiKeyOrigins(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('allowedOrigins', () => [String], { nullable: true }) allowedOrigins: string[] | null,
  ): Promise<ApiKey> {
    return ApiKey.from(
      await ctx.services.apiKeys.setAllowedOrigins(
        ctx.requireAuth().workspaceId,
        rawIdOf(id, 'ApiKey'),
        allowedOrigins,
      ),
    );
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => ApiKey, { description: "The workspace's last key holding MANAGE cannot be revoked (CONFLICT)." })
  async revokeApiKey(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<ApiKey> {
    return ApiKey.from(await ctx.services.apiKeys.revoke(ctx.requireAuth().workspaceId, rawIdOf(id, 'ApiKey')));
  }
}
