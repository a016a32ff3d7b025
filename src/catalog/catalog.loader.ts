import DataLoader from 'dataloader';
import type { RequestContext } from '../graphql/context';
import type { CatalogEntryEntity } from './catalog.entity';
import type { CatalogKey } from './catalog.model';

/**
 * Chats, agents and documents by key for this request: every one a page of
 * activities shows (chat, agent, document, meeting agent) costs one query
 * together, and each key is read once, so all its appearances in a response
 * are the same entry.
 */
export function catalogLoader(ctx: RequestContext): DataLoader<CatalogKey, CatalogEntryEntity | null, string> {
  return ctx.loader(
    'catalog-entry-by-key',
    () =>
      new DataLoader(
        (keys: readonly CatalogKey[]) => ctx.services.catalog.getMany(ctx.requireAuth().workspaceId, keys),
        { cacheKeyFn: (key) => `${key.type}\u0000${key.widgetId}` },
      ),
  );
}
