import type { GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Info,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { rawIdOf } from '../graphql/node';
import { ActivityConnection } from '../activity/activity-connection.type';
import { toActivity } from '../activity/activity.type';
import { isPublicKey, Scope } from '../auth/scope';
import { ConnectionArgs, connectionFrom, decodeAfter, pageConnection } from '../graphql/connection';
import type { RequestContext } from '../graphql/context';
import { encodeCursor } from '../shared/cursor';
import { IdentifyVisitorInput } from './identify-visitor.input';
import { IdentifyVisitorPayload } from './identify-visitor.type';
import { visitorRefusals } from '../graphql/visitor-budget';
import { visitorIdsLoader } from './person.loader';
import { PersonConnection } from './person-connection.type';
import { ActivitiesArgs, personWithTimeline, timelinePage, timelineRead } from './person-timeline';
import { Person } from './person.type';

@ArgsType()
class PeopleArgs extends ConnectionArgs {
  @Field(() => String, { nullable: true })
  search?: string | null;
}

@Resolver(() => Person)
export class PersonResolver {
  @Authorized(Scope.READ)
  @Query(() => Person, { nullable: true })
  async person(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Person | null> {
    const row = await personWithTimeline(ctx, info, ctx.requireAuth().workspaceId, rawIdOf(id, 'Person'));
    return row ? Person.from(row) : null;
  }

  @Authorized(Scope.READ)
  @Query(() => Person, { nullable: true })
  async personByEmail(@Ctx() ctx: RequestContext, @Arg('email') email: string): Promise<Person | null> {
    const row = await ctx.services.people.getByEmail(ctx.requireAuth().workspaceId, email);
    return row ? Person.from(row) : null;
  }

  @Authorized(Scope.READ)
  @Query(() => Person, { nullable: true })
  async personByVisitor(@Ctx() ctx: RequestContext, @Arg('visitorId') visitorId: string): Promise<Person | null> {
    const row = await ctx.services.people.getByVisitor(ctx.requireAuth().workspaceId, visitorId);
    return row ? Person.from(row) : null;
  }

  @Authorized(Scope.READ)
  @Query(() => PersonConnection)
  async people(
    @Ctx() ctx: RequestContext,
    @Args(() => PeopleArgs) { first, after, search }: PeopleArgs,
  ): Promise<PersonConnection> {
    const afterKey = decodeAfter<[string]>(after, ['string']);
    const { rows, totalCount } = await ctx.services.people.list(ctx.requireAuth().workspaceId, {
      limit: first + 1,
      afterId: afterKey?.[0],
      search,
    });
    const connection = connectionFrom(rows, first, afterKey !== null, (row) => encodeCursor([row.id]), Person.from);
    return Object.assign(new PersonConnection(), connection, { totalCount: await totalCount() });
  }

  @Authorized(Scope.RECORD)
  @Mutation(() => Person, {
    description:
      "Links the visitor to the person with this email (created if new) and merges the visitor's anonymous history into it. What it may change depends on the workspace's identity verification (identityVerificationSettings); `identify` also says whether the identity was verified.",
  })
  async identifyVisitor(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => IdentifyVisitorInput) input: IdentifyVisitorInput,
  ): Promise<Person> {
    return (await this.identifyAs(ctx, input)).person;
  }

  @Authorized(Scope.RECORD)
  @Mutation(() => IdentifyVisitorPayload, {
    description: 'identifyVisitor, answering also whether the identity was verified.',
  })
  async identify(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => IdentifyVisitorInput) input: IdentifyVisitorInput,
  ): Promise<IdentifyVisitorPayload> {
    return this.identifyAs(ctx, input);
  }

  private async identifyAs(ctx: RequestContext, input: IdentifyVisitorInput): Promise<IdentifyVisitorPayload> {
    const auth = ctx.requireAuth();
    const refused = (await visitorRefusals(ctx, [input.visitorId])).get(input.visitorId);
    if (refused) throw refused;
    const decision = await ctx.services.identity.decide(auth.workspaceId, input, !isPublicKey(auth.scopes), ['input']);
    if ('error' in decision) throw decision.error;
    const person = await ctx.services.people.identifyVisitor(auth.workspaceId, input, {
      overwrite: decision.overwrite,
    });
    return Object.assign(new IdentifyVisitorPayload(), { person: Person.from(person), verified: decision.verified });
  }

  // Person is also returned to RECORD keys (identifyVisitor, activity.person), and the widget's key is
  // public: a person's history and other visitor ids are for READ keys only.
  @Authorized(Scope.READ)
  @FieldResolver(() => [String])
  async visitorIds(@Root() person: Person, @Ctx() ctx: RequestContext): Promise<string[]> {
    return visitorIdsLoader(ctx).load(person.id);
  }

  @Authorized(Scope.READ)
  @FieldResolver(() => ActivityConnection, {
    description: "The person's activity log, newest first: forward pages with first/after, backward with last/before.",
  })
  async activities(
    @Root() person: Person,
    @Ctx() ctx: RequestContext,
    @Args(() => ActivitiesArgs) args: ActivitiesArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ActivityConnection> {
    const { request, cursors, page } = timelineRead(args);
    const rows = await timelinePage(ctx, info, person.id, page);
    return Object.assign(
      new ActivityConnection(),
      pageConnection(rows, request, cursors, (row) => encodeCursor([row.occurredAt.getTime(), row.id]), toActivity),
    );
  }
}
