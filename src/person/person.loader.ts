import DataLoader from 'dataloader';
import type { RequestContext } from '../graphql/context';
import type { PersonEntity } from './person.entity';

/** People by id for this request: every `activity.person` of a page costs one query together. */
export function personLoader(ctx: RequestContext): DataLoader<string, PersonEntity | null> {
  return ctx.loader(
    'person-by-id',
    () => new DataLoader((ids: readonly string[]) => ctx.services.people.getMany(ctx.requireAuth().workspaceId, ids)),
  );
}

/** Visitor ids per person for this request. */
export function visitorIdsLoader(ctx: RequestContext): DataLoader<string, string[]> {
  return ctx.loader(
    'visitor-ids-by-person',
    () =>
      new DataLoader((ids: readonly string[]) => ctx.services.people.visitorIdsOf(ctx.requireAuth().workspaceId, ids)),
  );
}
