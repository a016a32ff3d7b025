import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { rawIdOf } from '../graphql/node';
import { Scope } from '../auth/scope';
import { ConnectionArgs, connectionFrom, decodeAfter } from '../graphql/connection';
import type { RequestContext } from '../graphql/context';
import { encodeCursor } from '../shared/cursor';
import { PersonConnection } from '../person/person-connection.type';
import { Person } from '../person/person.type';
import { SmartListInput } from './smart-list.input';
import { evaluationTime, listsOfPersonLoader } from './smart-list.loader';
import { SmartList, SmartListConnection } from './smart-list.type';

/**
 * Query cost of membership fields: each is an aggregate over the workspace's
 * people and their activities, so a page of lists asking memberCount for
 * each is refused by the cost limit rather than run as 100 scans.
 */
const MEMBERSHIP_COST = 100;
const INCLUDES_COST = 10;

@Resolver(() => SmartList)
export class SmartListResolver {
  @Authorized(Scope.READ)
  @Query(() => SmartList, { nullable: true })
  async smartList(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<SmartList | null> {
    const entity = await ctx.services.smartLists.get(ctx.requireAuth().workspaceId, rawIdOf(id, 'SmartList'));
    return entity ? SmartList.from(entity) : null;
  }

  @Authorized(Scope.READ)
  @Query(() => SmartListConnection)
  async smartLists(
    @Ctx() ctx: RequestContext,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<SmartListConnection> {
    const afterKey = decodeAfter<[string]>(after, ['string']);
    const rows = await ctx.services.smartLists.list(ctx.requireAuth().workspaceId, {
      limit: first + 1,
      afterId: afterKey?.[0],
    });
    return Object.assign(
      new SmartListConnection(),
      connectionFrom(rows, first, afterKey !== null, (row) => encodeCursor([row.id]), SmartList.from),
    );
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => SmartList)
  async createSmartList(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => SmartListInput) input: SmartListInput,
  ): Promise<SmartList> {
    return SmartList.from(await ctx.services.smartLists.create(ctx.requireAuth().workspaceId, input));
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => SmartList)
  async updateSmartList(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => SmartListInput) input: SmartListInput,
  ): Promise<SmartList> {
    return SmartList.from(
      await ctx.services.smartLists.update(ctx.requireAuth().workspaceId, rawIdOf(id, 'SmartList'), input),
    );
  }

  @Authorized(Scope.MANAGE)
  @Mutation(() => Boolean)
  async deleteSmartList(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    await ctx.services.smartLists.delete(ctx.requireAuth().workspaceId, rawIdOf(id, 'SmartList'));
    return true;
  }

  @FieldResolver(() => PersonConnection, {
    description: 'Members right now, ordered by person id.',
    complexity: MEMBERSHIP_COST,
  })
  async members(
    @Root() list: SmartList,
    @Ctx() ctx: RequestContext,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<PersonConnection> {
    const afterKey = decodeAfter<[string]>(after, ['string']);
    const now = evaluationTime(ctx);
    const rows = await ctx.services.smartLists.members(list.entity, { limit: first + 1, afterId: afterKey?.[0], now });
    const connection = connectionFrom(
      rows,
      first,
      afterKey !== null,
      (row) => encodeCursor([row.id]),
      (row) => Person.from(row),
    );
    return Object.assign(new PersonConnection(), connection, {
      totalCount: await ctx.services.smartLists.memberCount(list.entity, now),
    });
  }

  @FieldResolver(() => Int, { complexity: MEMBERSHIP_COST })
  async memberCount(@Root() list: SmartList, @Ctx() ctx: RequestContext): Promise<number> {
    return ctx.services.smartLists.memberCount(list.entity, evaluationTime(ctx));
  }

  @FieldResolver(() => Boolean, { complexity: INCLUDES_COST })
  async includes(
    @Root() list: SmartList,
    @Ctx() ctx: RequestContext,
    @Arg('personId', () => ID) personId: string,
  ): Promise<boolean> {
    return ctx.services.smartLists.includes(list.entity, rawIdOf(personId, 'Person'), evaluationTime(ctx));
  }
}

@Resolver(() => Person)
export class PersonSmartListsResolver {
  @Authorized(Scope.READ)
  @FieldResolver(() => [SmartList], {
    description: 'Smart lists this person is a member of right now.',
    complexity: INCLUDES_COST,
  })
  async smartLists(@Root() person: Person, @Ctx() ctx: RequestContext): Promise<SmartList[]> {
    return (await listsOfPersonLoader(ctx).load(person.id)).map(SmartList.from);
  }
}
