import type { ActivityEntity } from './activity.entity';

/** Each recorded activity, on its workspace's channel, after commit. */
export const ACTIVITY_RECORDED = 'ACTIVITY_RECORDED';

export type ActivityTopics = {
  [ACTIVITY_RECORDED]: [workspaceId: string, activity: ActivityEntity];
};
