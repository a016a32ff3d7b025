import DataLoader from 'dataloader';
import type { RequestContext } from '../graphql/context';
import type { SmartListEntity } from './smart-list.entity';

/** One evaluation time per request, so members, memberCount and includes of one response agree. */
export const evaluationTime = (ctx: RequestContext): number =>
  ctx.loader('smart-list-evaluation-time', () => Date.now());

export function listsOfPersonLoader(ctx: RequestContext): DataLoader<string, SmartListEntity[]> {
  return ctx.loader(
    'smart-lists-by-person',
    () =>
      new DataLoader((ids: readonly string[]) =>
        ctx.services.smartLists.listsOf(ctx.requireAuth().workspaceId, ids, evaluationTime(ctx)),
      ),
  );
}

/** Smart lists by id for this request (node, nodes). */
export function smartListLoader(ctx: RequestContext): DataLoader<string, SmartListEntity | null> {
  return ctx.loader(
    'smart-list-by-id',
    () =>
      new DataLoader((ids: readonly string[]) => ctx.services.smartLists.getMany(ctx.requireAuth().workspaceId, ids)),
  );
}
