import DataLoader from 'dataloader';
import type { RequestContext } from '../graphql/context';
import type { DeliveryEntity } from './delivery.entity';

/** Deliveries by id for this request (node, nodes). */
export function deliveryLoader(ctx: RequestContext): DataLoader<string, DeliveryEntity | null> {
  return ctx.loader(
    'delivery-by-id',
    () =>
      new DataLoader((ids: readonly string[]) => ctx.services.deliveries.getMany(ctx.requireAuth().workspaceId, ids)),
  );
}
