import {
  Arg,
  Args,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { rawIdOf } from '../graphql/node';
import { activityLoader } from '../activity/activity.loader';
import { personLoader } from '../person/person.loader';
import { campaignLoader, runLoader } from './campaign.loader';
import { Activity, toActivity } from '../activity/activity.type';
import { Scope } from '../auth/scope';
import { Delivery } from '../delivery/delivery.type';
import { ConnectionArgs, connectionFrom, decodeAfter } from '../graphql/connection';
import type { RequestContext } from '../graphql/context';
import { encodeCursor } from '../shared/cursor';
import { Person } from '../person/person.type';
import { type CampaignRunEvent, personFromEvent } from './campaign.events';
import { campaignRunStream } from './campaign-stream';
import { campaignNotFound } from './campaign.errors';
import { CampaignInput } from './campaign.input';
import { Campaign, CampaignConnection, CampaignRun, CampaignRunConnection, FlowStep, runCursor } from './campaign.type';

@Resolver(() => Campaign)
export class CampaignResolver {
  @Authorized(Scope.READ)
  @Query(() => Campaign, { nullable: true })
  async campaign(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Campaign | null> {
    const row = await ctx.services.campaigns.get(ctx.requireAuth().workspaceId, rawIdOf(id, 'Campaign'));
    return row ? Campaign.from(row) : null;
  }

  @Authorized(Scope.READ)
  @Query(() => CampaignConnection, { description: 'Newest first.' })
  async campaigns(
    @Ctx() ctx: RequestContext,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<CampaignConnection> {
    const key = decodeAfter<[string]>(after, ['string']);
    const rows = await ctx.services.campaigns.list(ctx.requireAuth().workspaceId, {
      limit: first + 1,
      beforeId: key?.[0],
    });
    return Object.assign(
      new CampaignConnection(),
      connectionFrom(rows, first, key !== null, (row) => encodeCursor([row.id]), Campaign.from),
    );
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => Campaign, { description: 'Created inactive: activate it when it is ready.' })
  async createCampaign(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CampaignInput) input: CampaignInput,
  ): Promise<Campaign> {
    return Campaign.from(await ctx.services.campaigns.create(ctx.requireAuth().workspaceId, input));
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => Campaign)
  async updateCampaign(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => CampaignInput) input: CampaignInput,
  ): Promise<Campaign> {
    return Campaign.from(
      await ctx.services.campaigns.update(ctx.requireAuth().workspaceId, rawIdOf(id, 'Campaign'), input),
    );
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => Campaign)
  async activateCampaign(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Campaign> {
    return Campaign.from(
      await ctx.services.campaigns.setActive(ctx.requireAuth().workspaceId, rawIdOf(id, 'Campaign'), true),
    );
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => Campaign)
  async deactivateCampaign(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Campaign> {
    return Campaign.from(
      await ctx.services.campaigns.setActive(ctx.requireAuth().workspaceId, rawIdOf(id, 'Campaign'), false),
    );
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => Boolean)
  async deleteCampaign(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    await ctx.services.campaigns.delete(ctx.requireAuth().workspaceId, rawIdOf(id, 'Campaign'));
    return true;
  }

  // A Campaign also reaches SUBSCRIBE keys (campaignTriggered { campaign }): browsing its history is reading.
  @Authorized(Scope.READ)
  @FieldResolver(() => CampaignRunConnection, { description: 'Runs, newest first.' })
  async runs(
    @Root() campaign: Campaign,
    @Ctx() ctx: RequestContext,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<CampaignRunConnection> {
    const key = decodeAfter<[number]>(after, ['number']);
    const rows = await ctx.services.campaigns.runs(campaign.id, { limit: first + 1, beforeSeq: key?.[0] });
    return Object.assign(
      new CampaignRunConnection(),
      connectionFrom(
        rows,
        first,
        key !== null,
        (row) => runCursor(row.seq),
        (row) => CampaignRun.from(row),
      ),
    );
  }

  @Authorized(Scope.SUBSCRIBE)
  @Subscription(() => CampaignRun, {
    description:
      "Runs of one active campaign, live. With `after` (a run's cursor) the runs recorded since then are replayed first, in order, then live ones follow with none lost or repeated in between.",
    subscribe: async ({
      args,
      context,
    }: {
      args: { campaignId: string; after?: string | null };
      context: RequestContext;
    }) => {
      const { workspaceId } = context.requireScope(Scope.SUBSCRIBE);
      const after = decodeAfter<[number]>(args.after, ['number']);
      const campaign = await context.services.campaigns.listenable(workspaceId, rawIdOf(args.campaignId, 'Campaign'));
      const { campaigns, pubSub } = context.services;
      return campaignRunStream({
        pubSub,
        source: campaigns,
        campaign,
        afterSeq: after ? after[0] : null,
        maxBuffered: context.services.config.subscriptionMaxPending,
      });
    },
  })
  campaignTriggered(
    @Root() event: CampaignRunEvent,
    @Ctx() ctx: RequestContext,
    // Declared for the schema; `subscribe` above reads them.
    @Arg('campaignId', () => ID) _campaignId: string,
    @Arg('after', () => String, { nullable: true }) _after?: string,
  ): CampaignRun {
    // The run's person as published, wherever it appears in this event's answer (run.person and
    // activity.person are one object): primed before any field asks, so no second copy is read.
    personLoader(ctx).prime(event.person.id, personFromEvent(event.person));
    return CampaignRun.from(event.run, event);
  }
}

@Resolver(() => Delivery)
export class DeliveryCampaignRunResolver {
  @FieldResolver(() => CampaignRun, {
    nullable: true,
    description: 'The run whose INTERESTING_MOMENT or WEBHOOK step queued it.',
  })
  async campaignRun(@Root() delivery: Delivery, @Ctx() ctx: RequestContext): Promise<CampaignRun | null> {
    if (!delivery.campaignRunId) return null;
    const row = await runLoader(ctx).load(delivery.campaignRunId);
    return row ? CampaignRun.from(row) : null;
  }
}

@Resolver(() => FlowStep)
export class FlowStepResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'The whole URL with MANAGE; otherwise only its origin, as https://hooks.example.com/… (webhook URLs often carry a token).',
  })
  webhookUrl(@Root() step: FlowStep, @Ctx() ctx: RequestContext): string | null {
    if (step.webhookUrl === null) return null;
    return ctx.auth?.scopes.has(Scope.MANAGE) ? step.webhookUrl : `${new URL(step.webhookUrl).origin}/…`;
  }
}

@Resolver(() => CampaignRun)
export class CampaignRunResolver {
  @FieldResolver(() => Campaign)
  async campaign(@Root() run: CampaignRun, @Ctx() ctx: RequestContext): Promise<Campaign> {
    if (run.preloaded) return Campaign.from(run.preloaded.campaign);
    const row = await campaignLoader(ctx).load(run.row.campaignId);
    if (!row) throw campaignNotFound(run.row.campaignId);
    return Campaign.from(row);
  }

  @FieldResolver(() => Person)
  async person(@Root() run: CampaignRun, @Ctx() ctx: RequestContext): Promise<Person> {
    if (run.preloaded) return Person.from(personFromEvent(run.preloaded.person));
    const row = await personLoader(ctx).load(run.row.personId);
    if (!row) throw new Error(`person ${run.row.personId} of run ${run.id} is missing`);
    return Person.from(row);
  }

  @FieldResolver(() => Activity)
  async activity(@Root() run: CampaignRun, @Ctx() ctx: RequestContext): Promise<Activity> {
    if (run.preloaded) return toActivity(run.preloaded.activity);
    const row = await activityLoader(ctx).load(run.row.activityId);
    if (!row) throw new Error(`activity ${run.row.activityId} of run ${run.id} is missing`);
    return toActivity(row);
  }
}
