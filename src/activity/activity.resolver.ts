import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Scope } from '../auth/scope';
import type { RequestContext } from '../graphql/context';
import { validatedByService } from '../graphql/validation';
import { personLoader } from '../person/person.loader';
import { Person } from '../person/person.type';
import type { ActivityEntity } from './activity.entity';
import { ACTIVITY_RECORDED } from './activity.events';
import { Activity, toActivity } from './activity.type';
import { RecordChatActivityInput } from './record-activity.input';
import { RecordChatActivityPayload, RecordChatActivityResult, RecordOutcome, UserError } from './record-activity.type';

function payload(outcome: RecordOutcome, row: ActivityEntity): RecordChatActivityPayload {
  return Object.assign(new RecordChatActivityPayload(), { outcome, activity: toActivity(row) });
}

@Resolver(() => Activity)
export class ActivityResolver {
  @Authorized(Scope.RECORD)
  @Mutation(() => RecordChatActivityPayload)
  async recordChatActivity(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RecordChatActivityInput, { validateFn: validatedByService }) input: RecordChatActivityInput,
  ): Promise<RecordChatActivityPayload> {
    const { outcome, activity } = await ctx.services.activities.record(ctx.requireAuth().workspaceId, input);
    return payload(outcome, activity);
  }

  @Authorized(Scope.RECORD)
  @Mutation(() => [RecordChatActivityResult], {
    description: '1..500 inputs; each is validated and stored on its own.',
  })
  async recordChatActivities(
    @Ctx() ctx: RequestContext,
    @Arg('inputs', () => [RecordChatActivityInput], { validateFn: validatedByService })
    inputs: RecordChatActivityInput[],
  ): Promise<RecordChatActivityResult[]> {
    const results = await ctx.services.activities.recordMany(ctx.requireAuth().workspaceId, inputs);
    return results.map((result, index) =>
      Object.assign(new RecordChatActivityResult(), {
        index,
        payload: result.ok ? payload(result.outcome, result.activity) : null,
        error: result.ok
          ? null
          : Object.assign(new UserError(), {
              code: result.error.code,
              message: result.error.message,
              field: result.error.field ? [...result.error.field] : null,
            }),
      }),
    );
  }

  @Authorized(Scope.READ)
  @Query(() => Activity, { nullable: true })
  async activity(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Activity | null> {
    const row = await ctx.services.activities.get(ctx.requireAuth().workspaceId, id);
    return row ? toActivity(row) : null;
  }

  @FieldResolver(() => Person)
  async person(@Root() activity: Activity, @Ctx() ctx: RequestContext): Promise<Person> {
    const person = await personLoader(ctx).load(activity.personId);
    // The activity was read in this workspace, so its person is too; a person merged away in between is a race worth an error.
    if (!person) throw new Error(`person ${activity.personId} of activity ${activity.id} not found`);
    return Person.from(person);
  }

  @Authorized(Scope.SUBSCRIBE)
  @Subscription(() => Activity, {
    description: "Activities as they are recorded: one person's, or the whole workspace's.",
    topics: ACTIVITY_RECORDED,
    // One channel per workspace: a listener never even receives another workspace's events.
    topicId: ({ context }: { context: RequestContext }) => context.requireScope(Scope.SUBSCRIBE).workspaceId,
    filter: ({ payload: row, args }: { payload: ActivityEntity; args: { personId?: string | null } }) =>
      !args.personId || row.personId === args.personId,
  })
  activityRecorded(
    @Root() row: ActivityEntity,
    @Arg('personId', () => ID, { nullable: true }) _personId?: string,
  ): Activity {
    return toActivity(row);
  }
}
