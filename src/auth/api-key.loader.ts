import DataLoader from 'dataloader';
import type { RequestContext } from '../graphql/context';
import type { ApiKeyEntity } from './api-key.entity';

/** API keys by id for this request (node, nodes). */
export function apiKeyLoader(ctx: RequestContext): DataLoader<string, ApiKeyEntity | null> {
  return ctx.loader(
    'api-key-by-id',
    () => new DataLoader((ids: readonly string[]) => ctx.services.apiKeys.getMany(ctx.requireAuth().workspaceId, ids)),
  );
}
