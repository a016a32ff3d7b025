import { ArgsType, Field, InputType } from 'type-graphql';
import { ChatActivityType } from '../activity/activity.entity';
import { ConnectionArgs } from '../graphql/connection';
import { DeliveryKind, DeliveryStatus } from './delivery.model';

@InputType()
export class SalesInsightSettingsInput {
  @Field()
  enabled: boolean;

  // Both checked by DeliveryService.updateSettings, which knows the stored state (a secret is required once enabled).
  @Field(() => String, { nullable: true })
  endpointUrl?: string | null;

  @Field(() => String, { nullable: true, description: 'Used to sign each delivery (HMAC-SHA256); write-only.' })
  signingSecret?: string | null;

  @Field(() => [ChatActivityType], { nullable: true })
  activityTypes?: ChatActivityType[] | null;
}

@ArgsType()
export class DeliveriesArgs extends ConnectionArgs {
  @Field(() => DeliveryStatus, { nullable: true })
  status?: DeliveryStatus | null;

  @Field(() => DeliveryKind, { nullable: true })
  kind?: DeliveryKind | null;
}
