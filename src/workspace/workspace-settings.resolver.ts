import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { Workspace } from '../auth/api-key.type';
import { Scope } from '../auth/scope';
import type { RequestContext } from '../graphql/context';
import { WorkspaceSettingsInput } from './workspace-settings.input';

@Resolver(() => Workspace)
export class WorkspaceSettingsResolver {
  @Authorized(Scope.MANAGE)
  @Mutation(() => Workspace, { description: "Changes the workspace's settings (its time zone)." })
  async updateWorkspaceSettings(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => WorkspaceSettingsInput) input: WorkspaceSettingsInput,
  ): Promise<Workspace> {
    return Workspace.from(await ctx.services.workspaceSettings.update(ctx.requireAuth().workspaceId, input));
  }

  @FieldResolver(() => String, {
    description:
      'IANA time zone of the workspace calendar (UTC unless set): TODAY, THIS_WEEK and the other time frames are its days, Monday-based weeks, months, quarters and years.',
  })
  timeZone(@Root() workspace: Workspace, @Ctx() ctx: RequestContext): Promise<string> {
    return workspace.timeZone !== undefined
      ? Promise.resolve(workspace.timeZone)
      : ctx.services.workspaceSettings.timeZone(workspace.id);
  }
}
