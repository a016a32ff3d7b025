import type { DataSource } from 'typeorm';
import type { Config } from './config';
import type { Logger } from './shared/logger';
import type { RateLimits } from './shared/rate-limit';
import { ActivityService } from './activity/activity.service';
import { ApiKeyRepository } from './auth/api-key.repository';
import { ApiKeyService } from './auth/api-key.service';
import { WorkspaceRepository } from './auth/workspace.repository';
import { CatalogService } from './catalog/catalog.service';
import { PersonService } from './person/person.service';
import { SmartListRepository } from './smart-list/smart-list.repository';
import { SmartListService } from './smart-list/smart-list.service';
import { CampaignRepository } from './campaign/campaign.repository';
import { CampaignRunner } from './campaign/campaign.runner';
import { CampaignService } from './campaign/campaign.service';
import { moveCampaignRuns } from './campaign/campaign-merge';
import { DeliveryRepository } from './delivery/delivery.repository';
import { DeliveryService } from './delivery/delivery.service';
import { loadSecretsKey, SecretBox } from './shared/secret-box';
import { IdentityRepository } from './identity/identity.repository';
import { IdentityService } from './identity/identity.service';
import type { AppPubSub } from './graphql/topics';
import type { Services } from './graphql/context';
import type { AppMetrics } from './metrics/metrics';
import { ConversationService } from './conversation/conversation.service';
import { WorkspaceSettingsService } from './workspace/workspace-settings.service';

export function createServices(
  config: Config,
  dataSource: DataSource,
  pubSub: AppPubSub,
  rateLimits: RateLimits,
  log: Logger,
  metrics?: AppMetrics,
): Services {
  const people = new PersonService(dataSource);
  const catalog = new CatalogService(dataSource);
  const activities = new ActivityService(dataSource, people, catalog, pubSub, log, {
    maxInFlightPerWorkspace: config.writeBatchesInFlight,
    maxPendingEvents: config.subscriptionMaxPending,
    metrics,
  });
  const workspaceSettings = new WorkspaceSettingsService(dataSource);
  const smartLists = new SmartListService(
    new SmartListRepository(dataSource, {
      countParallelism: config.smartListCountParallelism,
      timeZoneOf: (workspaceId) => workspaceSettings.timeZone(workspaceId),
    }),
  );
  const secrets = new SecretBox(loadSecretsKey(config, log));
  const outbound = { allowPrivate: config.outboundAllowPrivate };
  const deliveries = new DeliveryService(new DeliveryRepository(dataSource), secrets, outbound);
  const identity = new IdentityService(new IdentityRepository(dataSource), secrets);
  // An activity's `person` identifies its visitor as identifyVisitor does: the workspace's verification decides how.
  activities.setIdentityGate((workspaceId, items) =>
    Promise.all(
      items.map((item) =>
        item.input.person
          ? identity.decide(workspaceId, item.input.person, item.caller.trusted, [...item.path, 'person'])
          : Promise.resolve(null),
      ),
    ),
  );
  const campaignRepository = new CampaignRepository(dataSource);
  const campaigns = new CampaignService(campaignRepository, people, activities, outbound, smartLists);
  // Campaign runs enqueue their INTERESTING_MOMENT and WEBHOOK deliveries inside the recording transaction.
  activities.registerHook(new CampaignRunner(campaignRepository, smartLists, deliveries, pubSub, metrics));
  activities.registerHook(deliveries.activityHook);
  people.registerMergeStep(activities.moveActivities);
  people.registerMergeStep(moveCampaignRuns);
  return {
    config,
    dataSource,
    pubSub,
    log,
    apiKeys: new ApiKeyService(
      new ApiKeyRepository(dataSource),
      new WorkspaceRepository(dataSource),
      config.authCacheTtlMs,
    ),
    people,
    catalog,
    activities,
    smartLists,
    campaigns,
    deliveries,
    identity,
    workspaceSettings,
    conversations: new ConversationService(dataSource, activities),
    rateLimits,
  };
}
