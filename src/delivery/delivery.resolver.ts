import { activityLoader } from '../activity/activity.loader';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { rawIdOf } from '../graphql/node';
import { Activity, toActivity } from '../activity/activity.type';
import { Scope } from '../auth/scope';
import { connectionFrom, decodeAfter } from '../graphql/connection';
import { encodeCursor } from '../shared/cursor';
import type { RequestContext } from '../graphql/context';
import { DeliveriesArgs, SalesInsightSettingsInput } from './delivery.input';
import { Delivery, DeliveryConnection, SalesInsightSettings } from './delivery.type';

@Resolver(() => Delivery)
export class DeliveryResolver {
  @Authorized(Scope.READ)
  @Query(() => SalesInsightSettings)
  async salesInsightSettings(@Ctx() ctx: RequestContext): Promise<SalesInsightSettings> {
    return SalesInsightSettings.from(await ctx.services.deliveries.getSettings(ctx.requireAuth().workspaceId));
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => SalesInsightSettings)
  async updateSalesInsightSettings(
    @Ctx() ctx: RequestContext,
    @Arg('input') input: SalesInsightSettingsInput,
  ): Promise<SalesInsightSettings> {
    return SalesInsightSettings.from(
      await ctx.services.deliveries.updateSettings(ctx.requireAuth().workspaceId, input),
    );
  }

  @Authorized(Scope.READ)
  @Query(() => DeliveryConnection)
  async deliveries(@Ctx() ctx: RequestContext, @Args() args: DeliveriesArgs): Promise<DeliveryConnection> {
    const key = decodeAfter<[string]>(args.after, ['string']);
    const rows = await ctx.services.deliveries.list(ctx.requireAuth().workspaceId, {
      first: args.first,
      status: args.status,
      kind: args.kind,
      beforeId: key?.[0],
    });
    return connectionFrom(rows, args.first, key !== null, (row) => encodeCursor([row.id]), Delivery.from);
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => Delivery)
  async retryDelivery(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Delivery> {
    return Delivery.from(await ctx.services.deliveries.retry(ctx.requireAuth().workspaceId, rawIdOf(id, 'Delivery')));
  }

  @FieldResolver(() => Activity, { nullable: true })
  async activity(@Root() delivery: Delivery, @Ctx() ctx: RequestContext): Promise<Activity | null> {
    if (!delivery.activityId) return null;
    const row = await activityLoader(ctx).load(delivery.activityId);
    return row ? toActivity(row) : null;
  }
}
