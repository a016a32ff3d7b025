import type { ActivityEntity } from '../activity/activity.entity';

/** What an updateConversation call did. Values are stored (conversation_update.outcome); never rename them. */
export enum ConversationUpdateOutcome {
  /** The status moved forward to the one asked for. */
  UPDATED = 'UPDATED',
  /** The engagement already had that status: nothing changed. */
  UNCHANGED = 'UNCHANGED',
  /** The engagement is already further along (e.g. COMPLETED, asked DROPPED): a late or backward update, not applied. */
  NOT_APPLIED = 'NOT_APPLIED',
}

export interface ConversationUpdateResult {
  outcome: ConversationUpdateOutcome;
  /** True when the clientEventId was seen before: `outcome` is the first call's. */
  duplicate: boolean;
  /** The engagement as it is now. */
  activity: ActivityEntity;
}
