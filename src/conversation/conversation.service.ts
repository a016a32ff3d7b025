import type { DataSource } from 'typeorm';
import type { AfterCommit } from '../activity/activity-hooks';
import { ChatActivityType, type ConversationStatus } from '../activity/activity.entity';
import { onceKeyOf, requestHashOf } from '../activity/activity.rules';
import type { ActivityService } from '../activity/activity.service';
import { inTransaction } from '../db/transaction';
import { ConversationUpdateEntity } from './conversation-update.entity';
import { conversationClientEventIdConflict, engagementNotFound } from './conversation.errors';
import { ConversationUpdateOutcome, type ConversationUpdateResult } from './conversation.model';
import { ConversationRepository } from './conversation.repository';

export interface ConversationUpdate {
  visitorId: string;
  sessionId: string;
  /** The chat's widget id. */
  chat: string;
  status: ConversationStatus;
  clientEventId?: string | null;
}

/**
 * The conversation lifecycle of an engagement (the ENGAGED activity of a
 * visitor, session and chat): its status only moves forward, through a
 * conditional UPDATE, so concurrent and late updates settle on the furthest
 * status without a read-then-write race. A move re-runs the activity hooks
 * in the same transaction: Sales Insight gets the activity again with its new
 * status (when ENGAGED is synced), and campaign triggers on conversationStatus
 * look at it. An update with a clientEventId is answered once and that answer
 * kept (conversation_update), so a retry gets it again.
 */
export class ConversationService {
  private readonly repository = new ConversationRepository();

  constructor(
    private readonly dataSource: DataSource,
    private readonly activities: ActivityService,
  ) {}

  async update(workspaceId: string, input: ConversationUpdate): Promise<ConversationUpdateResult> {
    const onceKey = onceKeyOf(input.visitorId, input.sessionId, input.chat, ChatActivityType.ENGAGED);
    const { clientEventId, ...content } = input;
    const requestHash = requestHashOf(content);
    const { result, after } = await inTransaction(this.dataSource, async (tx) => {
      const engagement = await this.repository.engagement(tx, workspaceId, onceKey);
      // Thrown inside the transaction: nothing of the call is stored.
      if (!engagement) throw engagementNotFound();
      let answer: ConversationUpdateEntity | null = null;
      if (clientEventId) {
        answer = Object.assign(new ConversationUpdateEntity(), {
          workspaceId,
          clientEventId,
          activityId: engagement.id,
          requestHash,
          status: input.status,
          outcome: ConversationUpdateOutcome.UNCHANGED,
          createdAt: new Date(),
        });
        if (!(await this.repository.claim(tx, answer))) {
          const first = await this.repository.answer(tx, workspaceId, clientEventId);
          if (!first) throw new Error('a conversation update was neither stored nor found');
          if (first.requestHash !== requestHash) throw conversationClientEventIdConflict();
          const activity = await this.repository.activity(tx, first.activityId);
          return { result: { outcome: first.outcome, duplicate: true, activity }, after: [] as AfterCommit[] };
        }
      }
      const moved = await this.repository.moveForward(tx, engagement.id, input.status);
      const activity = await this.repository.activity(tx, engagement.id);
      const outcome = moved
        ? ConversationUpdateOutcome.UPDATED
        : activity.conversationStatus === input.status
          ? ConversationUpdateOutcome.UNCHANGED
          : ConversationUpdateOutcome.NOT_APPLIED;
      if (answer && outcome !== answer.outcome) {
        answer.outcome = outcome;
        await this.repository.settle(tx, answer);
      }
      const after = moved ? await this.activities.statusChanged(tx, workspaceId, [activity]) : [];
      return { result: { outcome, duplicate: false, activity }, after };
    });
    await this.activities.runAfterCommit(after);
    return result;
  }
}
