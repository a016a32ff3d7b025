import type { EntityManager } from 'typeorm';
import type { ActivityEntity } from './activity.entity';

/**
 * Extension point of the write path. Every registered hook joins the
 * database transaction that stores a batch of activities, so what a hook
 * writes (campaign runs, outbox deliveries) commits or rolls back with them.
 *
 * Two steps: `prepare` runs before the activities are inserted and says
 * whether the hook may update their people (the write path then locks those
 * rows first, see ActivityService.write); the `recorded` it returns runs once
 * they are stored, only when some were RECORDED (never for DUPLICATE_REQUEST
 * or ALREADY_LOGGED_IN_SESSION), with whatever `prepare` loaded, so asking
 * first costs no extra statement. A hook may return work to run after the
 * commit (e.g. publishing to subscribers); that work must not throw.
 */
export interface ActivityRecordedHook {
  prepare(tx: EntityManager, batch: PendingActivities): Promise<PreparedHook>;
}

export interface PreparedHook {
  /** True when `recorded` may update a person row of these activities (e.g. a campaign's CHANGE_SCORE step). */
  updatesPeople: boolean;
  recorded(recorded: RecordedActivities): Promise<AfterCommit | void>;
}

/**
 * Why the hooks run: activities RECORDED now, or stored ones whose
 * conversation status moved forward (updateConversation): Sales Insight
 * gets the activity again, and only campaign triggers that constrain the
 * conversation status look at it.
 */
export type HookReason = 'recorded' | 'statusChanged';

export interface PendingActivities {
  workspaceId: string;
  /** Omitted: 'recorded'. */
  reason?: HookReason;
  /** The rows about to be inserted (people resolved); some may yet be ignored as duplicates. */
  activities: readonly ActivityEntity[];
}

export interface RecordedActivities {
  workspaceId: string;
  /** Omitted: 'recorded'. */
  reason?: HookReason;
  /** The activities stored by this transaction, in input order. */
  activities: readonly ActivityEntity[];
}

export type AfterCommit = () => void | Promise<void>;
