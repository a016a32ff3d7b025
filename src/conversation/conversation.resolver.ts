import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { toActivity } from '../activity/activity.type';
import type { ChatEngagedActivity } from '../activity/activity.type';
import { Scope } from '../auth/scope';
import type { RequestContext } from '../graphql/context';
import { visitorRefusals } from '../graphql/visitor-budget';
import { UpdateConversationInput } from './conversation.input';
import { UpdateConversationPayload } from './conversation.type';

@Resolver()
export class ConversationResolver {
  /** The widget's call (RECORD): what it gets back is the activity, whose person shows its id only to a public key. */
  @Authorized(Scope.RECORD)
  @Mutation(() => UpdateConversationPayload, {
    description:
      "Sets the conversation status of the session's engagement (its ENGAGED activity). Statuses only move forward (INITIATED, DROPPED, COMPLETED); a late or backward one is NOT_APPLIED. An engagement never recorded is NOT_FOUND, and nothing is stored.",
  })
  async updateConversation(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => UpdateConversationInput) input: UpdateConversationInput,
  ): Promise<UpdateConversationPayload> {
    const refused = (await visitorRefusals(ctx, [input.visitorId])).get(input.visitorId);
    if (refused) throw refused;
    const result = await ctx.services.conversations.update(ctx.requireAuth().workspaceId, input);
    return Object.assign(new UpdateConversationPayload(), {
      outcome: result.outcome,
      duplicate: result.duplicate,
      activity: toActivity(result.activity) as ChatEngagedActivity,
    });
  }
}
