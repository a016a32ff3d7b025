import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node, toGlobalId } from '../graphql/node';
import { Activity } from '../activity/activity.type';
import { ChatActivityType } from '../activity/activity.entity';
import { type Connection, connectionType } from '../graphql/connection';
import type { DeliveryEntity } from './delivery.entity';
import { DeliveryKind, DeliveryStatus } from './delivery.model';
import type { SalesInsightSettingsEntity } from './sales-insight-settings.entity';

registerEnumType(DeliveryStatus, {
  name: 'DeliveryStatus',
  valuesConfig: { DEAD: { description: 'Gave up after the last retry; can be retried by hand.' } },
});
registerEnumType(DeliveryKind, { name: 'DeliveryKind' });

@ObjectType()
export class SalesInsightSettings {
  @Field()
  enabled: boolean;

  @Field(() => String, { nullable: true, description: 'Where activities and interesting moments are POSTed.' })
  endpointUrl: string | null;

  @Field(() => [ChatActivityType], { description: 'Activity types that are synced as they are recorded.' })
  activityTypes: ChatActivityType[];

  /** The signing secret is write-only: never a field here. */
  static from(this: void, settings: SalesInsightSettingsEntity): SalesInsightSettings {
    return Object.assign(new SalesInsightSettings(), {
      enabled: settings.enabled,
      endpointUrl: settings.endpointUrl,
      activityTypes: settings.activityTypes,
    });
  }
}

@ObjectType({ implements: Node })
export class Delivery implements Node {
  /** The raw id; the schema's `id` is the global one (Node). */
  id: string;

  get nodeId(): string {
    return toGlobalId('Delivery', this.id);
  }

  @Field(() => DeliveryKind)
  kind: DeliveryKind;

  @Field(() => DeliveryStatus)
  status: DeliveryStatus;

  @Field(() => Activity, { nullable: true })
  activity?: Activity | null;

  @Field(() => Int)
  attempts: number;

  @Field(() => String, { nullable: true })
  lastError: string | null;

  @Field(() => Date, { nullable: true })
  nextAttemptAt: Date | null;

  @Field(() => Date, { nullable: true })
  deliveredAt: Date | null;

  @Field(() => Date)
  createdAt: Date;

  /** Not GraphQL fields: the resolvers of `activity` and `campaignRun` (campaign.resolver.ts) read them. */
  workspaceId: string;
  activityId: string | null;
  campaignRunId: string | null;

  static from(this: void, entity: DeliveryEntity): Delivery {
    return Object.assign(new Delivery(), {
      id: entity.id,
      kind: entity.kind,
      status: entity.status,
      attempts: entity.attempts,
      lastError: entity.lastError,
      // PENDING rows only have a meaningful next attempt.
      nextAttemptAt: entity.status === DeliveryStatus.PENDING ? entity.nextAttemptAt : null,
      deliveredAt: entity.deliveredAt,
      createdAt: entity.createdAt,
      workspaceId: entity.workspaceId,
      activityId: entity.activityId,
      campaignRunId: entity.campaignRunId,
    });
  }
}

export const DeliveryConnection = connectionType('Delivery', () => Delivery);
export type DeliveryConnection = Connection<Delivery>;
