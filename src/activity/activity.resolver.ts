import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { rawIdOf } from '../graphql/node';
import { isPublicKey, Scope } from '../auth/scope';
import { decodeAfter } from '../graphql/connection';
import type { RequestContext } from '../graphql/context';
import { assertWellFormedArgs, validatedByService } from '../graphql/validation';
import { visitorRefusals } from '../graphql/visitor-budget';
import { AppError, ErrorCode } from '../shared/errors';
import { personLoader } from '../person/person.loader';
import { Person } from '../person/person.type';
import type { ActivityEntity } from './activity.entity';
import type { RecordResult } from './activity.model';
import { Activity, toActivity } from './activity.type';
import { RecordChatActivityInput } from './record-activity.input';
import { RecordChatActivityPayload, RecordChatActivityResult, UserError } from './record-activity.type';

function payload(result: Extract<RecordResult, { ok: true }>): RecordChatActivityPayload {
  return Object.assign(new RecordChatActivityPayload(), {
    outcome: result.outcome,
    activity: toActivity(result.activity),
    identityVerified: result.identityVerified,
  });
}

/** A caller whose key is not public is trusted with the identities it sends (see IdentityService). */
const callerOf = (ctx: RequestContext) => ({ trusted: !isPublicKey(ctx.requireAuth().scopes) });

@Resolver(() => Activity)
export class ActivityResolver {
  @Authorized(Scope.RECORD)
  @Mutation(() => RecordChatActivityPayload)
  async recordChatActivity(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RecordChatActivityInput, { validateFn: validatedByService }) input: RecordChatActivityInput,
  ): Promise<RecordChatActivityPayload> {
    const refused = (await visitorRefusals(ctx, [input.visitorId])).get(input.visitorId);
    if (refused) throw refused;
    return payload(await ctx.services.activities.record(ctx.requireAuth().workspaceId, input, callerOf(ctx)));
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
    const refusals = await visitorRefusals(
      ctx,
      inputs.map((input) => input.visitorId),
    );
    const refused = new Map<number, AppError>();
    inputs.forEach((input, index) => {
      const refusal = refusals.get(input.visitorId);
      if (refusal) refused.set(index, refusal);
    });
    const results = await ctx.services.activities.recordMany(
      ctx.requireAuth().workspaceId,
      inputs,
      callerOf(ctx),
      refused,
    );
    return results.map((result, index) =>
      Object.assign(new RecordChatActivityResult(), {
        index,
        payload: result.ok ? payload(result) : null,
        error: result.ok ? null : userError(ctx, result.error, index),
      }),
    );
  }

  @Authorized(Scope.READ)
  @Query(() => Activity, { nullable: true })
  async activity(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Activity | null> {
    const row = await ctx.services.activities.get(ctx.requireAuth().workspaceId, rawIdOf(id, 'Activity'));
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
    description:
      "Activities as they are recorded: one person's, or the whole workspace's. With `after` (an activity's `streamCursor`) the activities recorded since then are replayed first, in order, then live ones follow with none lost or repeated in between.",
    subscribe: ({ args, context }: { args: ActivityRecordedArgs; context: RequestContext }) => {
      // One channel per workspace: a listener never even receives another workspace's events.
      const { workspaceId } = context.requireScope(Scope.SUBSCRIBE);
      assertWellFormedArgs(args);
      const after = decodeAfter<[number]>(args.after, ['number']);
      const personId = args.personId == null ? null : rawIdOf(args.personId, 'Person');
      return context.services.activities.stream(workspaceId, personId, after ? after[0] : null);
    },
  })
  activityRecorded(
    @Root() row: ActivityEntity,
    // Declared for the schema; `subscribe` above reads them.
    @Arg('personId', () => ID, { nullable: true }) _personId?: string,
    @Arg('after', () => String, { nullable: true }) _after?: string,
  ): Activity {
    return toActivity(row);
  }
}

interface ActivityRecordedArgs {
  personId?: string | null;
  after?: string | null;
}

/** A batch item's failure: its own error as it is, an unexpected one masked (and logged with the request id). */
function userError(ctx: RequestContext, error: unknown, index: number): UserError {
  if (error instanceof AppError) {
    return Object.assign(new UserError(), {
      code: error.code,
      message: error.message,
      field: error.field ? [...error.field] : null,
      requestId: null,
    });
  }
  ctx.log.error({ err: error, field: ['inputs', String(index)] }, 'unexpected error');
  return Object.assign(new UserError(), {
    code: ErrorCode.INTERNAL_SERVER_ERROR,
    message: 'Internal server error',
    field: ['inputs', String(index)],
    requestId: ctx.requestId,
  });
}
