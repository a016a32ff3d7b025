import DataLoader from 'dataloader';
import type { RequestContext } from '../graphql/context';
import type { CatalogEntryEntity } from './catalog.entity';
import type { CatalogKey, CatalogType } from './catalog.model';

const keyOf = (key: CatalogKey): string => `${key.type}\u0000${key.widgetId}`;

/**
 * Every entry this request has read, by key (null: there is none): the first
 * read of a key is what all its appearances in the response show, whether it
 * came from the loader or along with another query (primeCatalog).
 */
function seenEntries(ctx: RequestContext): Map<string, CatalogEntryEntity | null> {
  return ctx.loader('catalog-entries-seen', () => new Map<string, CatalogEntryEntity | null>());
}

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
        async (keys: readonly CatalogKey[]) => {
          const rows = await ctx.services.catalog.getMany(ctx.requireAuth().workspaceId, keys);
          const seen = seenEntries(ctx);
          return keys.map((key, i) => {
            const known = seen.get(keyOf(key));
            if (known !== undefined) return known;
            seen.set(keyOf(key), rows[i]);
            return rows[i];
          });
        },
        { cacheKeyFn: keyOf },
      ),
  );
}

/** The entry for `key` if this request has read it already (null: read, and there is none); undefined if not. */
export function seenCatalogEntry(ctx: RequestContext, key: CatalogKey): CatalogEntryEntity | null | undefined {
  return seenEntries(ctx).get(keyOf(key));
}

/**
 * Entries of one type read along with another query (a timeline page's
 * chats), by widget id, null where there is none: their appearances need no
 * query of their own. A key this request has read already keeps what it read.
 */
export function primeCatalog(
  ctx: RequestContext,
  type: CatalogType,
  entries: ReadonlyMap<string, CatalogEntryEntity | null>,
): void {
  const seen = seenEntries(ctx);
  for (const [widgetId, entry] of entries) {
    const key = keyOf({ type, widgetId });
    if (!seen.has(key)) seen.set(key, entry);
  }
}
