import DataLoader from 'dataloader';
import type { RequestContext } from '../graphql/context';
import type { ActivityEntity } from './activity.entity';

/** Activities by id for this request (Delivery.activity, CampaignRun.activity): one query per batch, shared by both. */
export function activityLoader(ctx: RequestContext): DataLoader<string, ActivityEntity | null> {
  return ctx.loader(
    'activity-by-id',
    () =>
      new DataLoader((ids: readonly string[]) => ctx.services.activities.getMany(ctx.requireAuth().workspaceId, ids)),
  );
}
