import type { EntityManager } from 'typeorm';
import type { ActivityEntity } from './activity.entity';

/**
 * Extension point of the write path. When activities are RECORDED (never for
 * DUPLICATE_REQUEST or ALREADY_LOGGED_IN_SESSION), every registered hook runs
 * inside the same database transaction that stored them, so what a hook writes
 * (campaign runs, outbox deliveries) commits or rolls back with the activities.
 * A hook may return work to run after the commit (e.g. publishing to
 * subscribers); that work must not throw.
 */
export interface RecordedActivities {
  workspaceId: string;
  /** The activities stored by this transaction, in input order. */
  activities: readonly ActivityEntity[];
}

export type AfterCommit = () => void | Promise<void>;

export type ActivityRecordedHook = (tx: EntityManager, recorded: RecordedActivities) => Promise<AfterCommit | void>;
