import type { DataSource } from 'typeorm';
import type { Config } from './config';
import type { Logger } from './shared/logger';
import { ActivityService } from './activity/activity.service';
import { ApiKeyService } from './auth/api-key.service';
import { PersonService } from './person/person.service';
import { SmartListService } from './smart-list/smart-list.service';
import { CampaignService } from './campaign/campaign.service';
import { moveCampaignRuns } from './campaign/campaign-merge';
import { DeliveryService } from './delivery/delivery.service';
import { loadSecretsKey, SecretBox } from './delivery/secret-box';
import type { AppPubSub } from './graphql/topics';
import type { Services } from './graphql/context';

export function createServices(config: Config, dataSource: DataSource, pubSub: AppPubSub, log: Logger): Services {
  const people = new PersonService(dataSource);
  const activities = new ActivityService(dataSource, people, pubSub, log, {
    maxInFlightPerWorkspace: config.writeBatchesInFlight,
    maxPendingEvents: config.subscriptionMaxPending,
  });
  const smartLists = new SmartListService(dataSource, { countParallelism: config.smartListCountParallelism });
  const deliveries = new DeliveryService(dataSource, new SecretBox(loadSecretsKey(config, log)));
  // Campaign runs enqueue their INTERESTING_MOMENT and WEBHOOK deliveries inside the recording transaction.
  const campaigns = new CampaignService(dataSource, smartLists, pubSub, deliveries, people, activities);
  activities.registerHook(campaigns.activityHook);
  activities.registerHook(deliveries.activityHook);
  people.registerMergeStep(activities.moveActivities);
  people.registerMergeStep(moveCampaignRuns);
  return {
    config,
    dataSource,
    pubSub,
    log,
    apiKeys: new ApiKeyService(dataSource, config.authCacheTtlMs),
    people,
    activities,
    smartLists,
    campaigns,
    deliveries,
  };
}
