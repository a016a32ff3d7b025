import type { PubSub } from '../shared/pubsub';
import { ReplayStream } from '../shared/replay-stream';
import type { Subscription } from '../shared/pubsub';
import type { CampaignRunEntity } from './campaign-run.entity';
import type { CampaignEntity } from './campaign.entity';
import { CAMPAIGN_TRIGGERED, type CampaignRunEvent, type CampaignTopics } from './campaign.events';

/** Where a campaign's stored runs are read back from (CampaignService). */
export interface RunSource {
  lastSeq(campaignId: string): Promise<number>;
  runsBetween(
    campaignId: string,
    afterSeq: number,
    beforeSeq: number | null,
    limit: number,
  ): Promise<CampaignRunEntity[]>;
  eventsOf(campaign: CampaignEntity, runs: readonly CampaignRunEntity[]): Promise<CampaignRunEvent[]>;
}

export interface RunStreamOptions {
  pubSub: PubSub<CampaignTopics>;
  source: RunSource;
  campaign: CampaignEntity;
  /** Replay stored runs after this sequence number; null starts with the next run. */
  afterSeq: number | null;
  /** Runs a reader may fall behind by before its stream ends with SUBSCRIBER_TOO_SLOW. */
  maxBuffered: number;
  /** How long to wait for the live channel to confirm it is open (Redis SUBSCRIBE is asynchronous). */
  syncTimeoutMs?: number;
}

/**
 * The runs of one campaign for one subscriber, in sequence order, with none
 * lost or repeated (see ReplayStream). Sequence numbers are allocated under
 * the campaign's row lock, so they commit in order and without holes; live
 * runs carry everything a listener answers with, replayed ones are read
 * back with their current person.
 */
export function campaignRunStream(options: RunStreamOptions): Subscription<CampaignRunEvent> {
  const { pubSub, source, campaign } = options;
  return new ReplayStream<CampaignRunEvent>({
    live: pubSub.subscribe(CAMPAIGN_TRIGGERED, campaign.id),
    publishSync: (marker) => pubSub.publish(CAMPAIGN_TRIGGERED, campaign.id, marker),
    source: {
      head: () => source.lastSeq(campaign.id),
      between: async (afterSeq, beforeSeq, limit) =>
        source.eventsOf(campaign, await source.runsBetween(campaign.id, afterSeq, beforeSeq, limit)),
    },
    afterSeq: options.afterSeq,
    maxBuffered: options.maxBuffered,
    syncTimeoutMs: options.syncTimeoutMs,
  });
}
