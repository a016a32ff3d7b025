import type { ActivityEntity } from '../src/activity/activity.entity';
import { boundedPubSub, type PubSub } from '../src/shared/bounded-pubsub';
import { campaignRunStream, type RunSource, type RunStreamOptions } from '../src/campaign/campaign-stream';
import type { CampaignEntity } from '../src/campaign/campaign.entity';
import type { CampaignRunEntity } from '../src/campaign/campaign-run.entity';
import { CAMPAIGN_TRIGGERED, type CampaignRunEvent, type CampaignTopics } from '../src/campaign/campaign.events';

/** An EventTarget that counts its listeners, so a test can see a subscription end. */
class CountingTarget extends EventTarget {
  listeners = 0;
  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    this.listeners += 1;
    super.addEventListener(...args);
  }
  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>): void {
    this.listeners -= 1;
    super.removeEventListener(...args);
  }
}

const campaign: CampaignEntity = {
  id: 'campaign-1',
  workspaceId: 'ws',
  name: 'c',
  description: null,
  active: true,
  definition: {
    triggers: [],
    filterLogic: 'ALL' as any,
    advancedLogic: null,
    filters: [],
    qualification: { kind: 'EACH_TIME' as any, interval: null },
    flow: [],
  },
  createdAt: 0,
  updatedAt: 0,
};

const run = (seq: number): CampaignRunEntity => ({
  id: `run-${seq}`,
  workspaceId: 'ws',
  campaignId: campaign.id,
  seq,
  personId: 'p',
  activityId: `a-${seq}`,
  triggeredAt: seq,
  steps: [],
});
const payload = (seq: number): CampaignRunEvent => ({
  kind: 'run',
  seq,
  run: run(seq),
  campaign,
  person: {} as any,
  activity: {} as ActivityEntity,
});

/** Stored runs in memory: the database side of the stream. */
class MemorySource implements RunSource {
  runs: CampaignRunEntity[] = [];
  queries = 0;
  async lastSeq(): Promise<number> {
    return this.runs.length ? this.runs[this.runs.length - 1].seq : 0;
  }
  async runsBetween(
    _id: string,
    afterSeq: number,
    beforeSeq: number | null,
    limit: number,
  ): Promise<CampaignRunEntity[]> {
    this.queries += 1;
    return this.runs.filter((r) => r.seq > afterSeq && (beforeSeq === null || r.seq < beforeSeq)).slice(0, limit);
  }
  async eventsOf(_c: CampaignEntity, runs: readonly CampaignRunEntity[]): Promise<CampaignRunEvent[]> {
    return runs.map((r) => payload(r.seq));
  }
}

const openStream = (options: Omit<RunStreamOptions, 'maxBuffered'>) =>
  campaignRunStream({ ...options, maxBuffered: 10_000 });

async function take(stream: ReturnType<typeof campaignRunStream>, count: number): Promise<number[]> {
  const seqs: number[] = [];
  while (seqs.length < count) {
    const next = await stream.next();
    if (next.done) break;
    seqs.push(next.value.run.seq);
  }
  return seqs;
}

describe('CampaignRunStream', () => {
  let target: CountingTarget;
  let pubSub: PubSub<CampaignTopics>;
  let source: MemorySource;
  beforeEach(() => {
    target = new CountingTarget();
    pubSub = boundedPubSub<CampaignTopics>(target, { maxPending: 10_000 });
    source = new MemorySource();
  });

  it('replays stored runs after the cursor, then live ones, skipping those already replayed', async () => {
    source.runs = [1, 2, 3, 4].map(run);
    const stream = openStream({ pubSub, source, campaign, afterSeq: 1 });
    // Published before the replay is through (already stored): must not be sent twice.
    pubSub.publish(CAMPAIGN_TRIGGERED, campaign.id, payload(3));
    expect(await take(stream, 3)).toEqual([2, 3, 4]);
    source.runs.push(run(5));
    pubSub.publish(CAMPAIGN_TRIGGERED, campaign.id, payload(4));
    pubSub.publish(CAMPAIGN_TRIGGERED, campaign.id, payload(5));
    expect(await take(stream, 1)).toEqual([5]);
    await stream.return();
  });

  it('fills a gap from the database when publishes overtake each other, with no query otherwise', async () => {
    const stream = openStream({ pubSub, source, campaign, afterSeq: null });
    const first = stream.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const queriesBefore = source.queries;
    source.runs = [1, 2, 3].map(run);
    pubSub.publish(CAMPAIGN_TRIGGERED, campaign.id, payload(1));
    expect((await first).value.run.seq).toBe(1);
    expect(source.queries).toBe(queriesBefore);
    pubSub.publish(CAMPAIGN_TRIGGERED, campaign.id, payload(3));
    pubSub.publish(CAMPAIGN_TRIGGERED, campaign.id, payload(2));
    expect(await take(stream, 2)).toEqual([2, 3]);
    await stream.return();
  });

  it('ends the pubsub subscription when the client goes away, even with a next() pending', async () => {
    const stream = openStream({ pubSub, source, campaign, afterSeq: null });
    const pending = stream.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(target.listeners).toBe(1);
    await stream.return();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(target.listeners).toBe(0);
  });
});
