import type { RunPayload, SyncPayload } from './campaign-payload';

/** Each campaign run, on its campaign's channel, after commit; and the stream's own sync markers. */
export const CAMPAIGN_TRIGGERED = 'CAMPAIGN_TRIGGERED';

export type CampaignTopics = {
  [CAMPAIGN_TRIGGERED]: [campaignId: string, event: RunPayload | SyncPayload];
};
