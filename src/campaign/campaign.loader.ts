import DataLoader from 'dataloader';
import type { RequestContext } from '../graphql/context';

/** Campaigns by id for this request. */
export function campaignLoader(ctx: RequestContext) {
  return ctx.loader(
    'campaign-by-id',
    () =>
      new DataLoader((ids: readonly string[]) => ctx.services.campaigns.getMany(ctx.requireAuth().workspaceId, ids)),
  );
}

/** Campaign runs by id for this request. */
export function runLoader(ctx: RequestContext) {
  return ctx.loader(
    'campaign-run-by-id',
    () =>
      new DataLoader((ids: readonly string[]) => ctx.services.campaigns.getRuns(ctx.requireAuth().workspaceId, ids)),
  );
}
