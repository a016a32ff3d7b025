import type { PubSub } from '../shared/pubsub';
import type { ActivityTopics } from '../activity/activity.events';
import type { CampaignTopics } from '../campaign/campaign.events';

/** Every pub/sub topic of the API, with its scope id and payload: the features' own maps, in one. */
export type Topics = ActivityTopics & CampaignTopics;

export type AppPubSub = PubSub<Topics>;
