import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type ClassType, type NonEmptyArray } from 'type-graphql';
import { authChecker } from '../auth/auth-checker';
import { ActivityResolver } from '../activity/activity.resolver';
import { ACTIVITY_TYPES } from '../activity/activity.type';
import { ApiKeyResolver } from '../auth/api-key.resolver';
import { PersonResolver } from '../person/person.resolver';
import {
  CampaignResolver,
  CampaignRunResolver,
  DeliveryCampaignRunResolver,
  FlowStepResolver,
} from '../campaign/campaign.resolver';
import { PersonSmartListsResolver, SmartListResolver } from '../smart-list/smart-list.resolver';
import { MemberOfSmartListFilterResolver, WasInCampaignFilterResolver } from '../smart-list/person-filter.resolver';
import { DeliveryResolver } from '../delivery/delivery.resolver';
import { IdentityResolver } from '../identity/identity.resolver';
import { CATALOG_RESOLVERS } from '../catalog/catalog.resolver';
import { ConversationResolver } from '../conversation/conversation.resolver';
import { WorkspaceSettingsResolver } from '../workspace/workspace-settings.resolver';
import { NodeResolver } from './node.resolver';
import type { AppPubSub } from './topics';
import { DateTimeScalar } from './scalars';
import { validateArgument } from './validation';

/** Every resolver of the API; a feature registers its resolvers here. */
export const RESOLVERS: NonEmptyArray<ClassType> = [
  ApiKeyResolver,
  ActivityResolver,
  PersonResolver,
  SmartListResolver,
  PersonSmartListsResolver,
  MemberOfSmartListFilterResolver,
  WasInCampaignFilterResolver,
  CampaignResolver,
  CampaignRunResolver,
  FlowStepResolver,
  DeliveryResolver,
  DeliveryCampaignRunResolver,
  IdentityResolver,
  ConversationResolver,
  WorkspaceSettingsResolver,
  ...CATALOG_RESOLVERS,
  NodeResolver,
];

/** Concrete types reached only through interfaces (e.g. the Activity implementations). */
export const ORPHANED_TYPES: ClassType[] = [...ACTIVITY_TYPES];

export async function buildAppSchema(pubSub: AppPubSub): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    orphanedTypes: ORPHANED_TYPES,
    pubSub,
    authChecker,
    validateFn: validateArgument,
    // The contract names the date scalar DateTime (type-graphql's default is DateTimeISO).
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
  });
}
