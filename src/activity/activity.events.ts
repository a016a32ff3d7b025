import type { SyncMarker } from '../shared/replay-stream';
import { ActivityEntity } from './activity.entity';

/** Each recorded activity, on its workspace's channel, after commit; and the streams' own sync markers. */
export const ACTIVITY_RECORDED = 'ACTIVITY_RECORDED';

type DateFields = 'occurredAt' | 'recordedAt' | 'meetingStartsAt';

/** An activity as it crosses the pub/sub (JSON through Redis): the stored row, times in epoch ms. */
export type ActivityData = Omit<ActivityEntity, DateFields> & {
  occurredAt: number;
  recordedAt: number;
  meetingStartsAt: number | null;
};

export interface ActivityRecordedEvent {
  kind: 'activity';
  /** The activity's position in the workspace's stream (ActivityEntity.streamSeq). */
  seq: number;
  activity: ActivityData;
}

export type ActivityTopics = {
  [ACTIVITY_RECORDED]: [workspaceId: string, event: ActivityRecordedEvent | SyncMarker];
};

export function activityEvent(row: ActivityEntity): ActivityRecordedEvent {
  return {
    kind: 'activity',
    seq: row.streamSeq!,
    activity: {
      ...row,
      occurredAt: row.occurredAt.getTime(),
      recordedAt: row.recordedAt.getTime(),
      meetingStartsAt: row.meetingStartsAt?.getTime() ?? null,
    },
  };
}

/**
 * One entity per event object: every local subscriber receives the same event
 * object, and subscribers asking the same query share one execution per
 * event object (graphql/shared-subscribe.ts), so they must get the same root.
 */
const entities = new WeakMap<ActivityRecordedEvent, ActivityEntity>();

export function activityFromEvent(event: ActivityRecordedEvent): ActivityEntity {
  let entity = entities.get(event);
  if (!entity) {
    const data = event.activity;
    entity = Object.assign(new ActivityEntity(), data, {
      occurredAt: new Date(data.occurredAt),
      recordedAt: new Date(data.recordedAt),
      meetingStartsAt: data.meetingStartsAt === null ? null : new Date(data.meetingStartsAt),
    });
    entities.set(event, entity);
  }
  return entity;
}
