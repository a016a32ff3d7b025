import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { Scope } from '../auth/scope';
import { IdentityVerification } from '../auth/workspace.entity';
import type { RequestContext } from '../graphql/context';
import { IdentityVerificationSettings, RotatedIdentitySecret } from './identity.type';

@Resolver()
export class IdentityResolver {
  @Authorized(Scope.READ)
  @Query(() => IdentityVerificationSettings)
  async identityVerificationSettings(@Ctx() ctx: RequestContext): Promise<IdentityVerificationSettings> {
    return IdentityVerificationSettings.from(await ctx.services.identity.settings(ctx.requireAuth().workspaceId));
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => IdentityVerificationSettings, { description: 'REQUIRED needs a secret: rotate one first.' })
  async updateIdentityVerification(
    @Ctx() ctx: RequestContext,
    @Arg('mode', () => IdentityVerification) mode: IdentityVerification,
  ): Promise<IdentityVerificationSettings> {
    return IdentityVerificationSettings.from(await ctx.services.identity.setMode(ctx.requireAuth().workspaceId, mode));
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => RotatedIdentitySecret, {
    description: 'Generates a new identity secret and shows it once; hashes made with the previous one stop verifying.',
  })
  async rotateIdentitySecret(@Ctx() ctx: RequestContext): Promise<RotatedIdentitySecret> {
    const { secret, settings } = await ctx.services.identity.rotateSecret(ctx.requireAuth().workspaceId);
    return Object.assign(new RotatedIdentitySecret(), {
      secret,
      settings: IdentityVerificationSettings.from(settings),
    });
  }
}
