import { newId } from '../db/columns';
import type { PubSub } from '@graphql-yoga/subscription';
import type { CampaignRunEntity } from './campaign-run.entity';
import type { CampaignEntity } from './campaign.entity';
import {
  CAMPAIGN_TRIGGERED,
  type CampaignRunEvent,
  type CampaignSyncEvent,
  type CampaignTopics,
  type CampaignTriggeredEvent,
} from './campaign.events';

const REPLAY_PAGE = 100;
const RECHECK_AFTER_MS = [500, 3_000];

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
  /** How long to wait for the live channel to confirm it is open (Redis SUBSCRIBE is asynchronous). */
  syncTimeoutMs?: number;
  /** A client that reads slower than runs arrive is cut off rather than buffered without bound. */
  maxBuffered?: number;
}

/**
 * The runs of one campaign for one subscriber, in sequence order, with none
 * lost or repeated:
 *
 * 1. Subscribe to the live topic first and wait until our own sync message
 *    comes back through it, so the channel is really open (through Redis too).
 *    Live runs arriving meanwhile wait in line behind the replay.
 * 2. Replay stored runs with seq > after (or note the current last seq).
 * 3. Then take live runs in arrival order, dropping seq ≤ the last one sent.
 *    Sequence numbers are allocated under the campaign's row lock, so they
 *    commit in order and without holes: a live run whose seq is not last + 1
 *    (publishes of two transactions may overtake each other) first pulls the
 *    missing ones from the database. That is the only per-listener query,
 *    and only on such a race; normally the payload carries the whole run.
 *
 * `return()` (client gone) ends the pubsub subscription at once, even while
 * a `next()` is pending.
 */
export class CampaignRunStream implements AsyncIterableIterator<CampaignRunEvent> {
  private readonly live: AsyncIterator<CampaignTriggeredEvent>;
  private readonly out: CampaignRunEvent[] = [];
  private waiter: { resolve: (r: IteratorResult<CampaignRunEvent>) => void; reject: (err: unknown) => void } | null =
    null;
  private failure: Error | null = null;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private last = 0;
  private chain: Promise<void>;
  private readonly syncToken = newId();
  private syncSeen!: () => void;
  private readonly synced = new Promise<void>((resolve) => (this.syncSeen = resolve));

  constructor(private readonly options: RunStreamOptions) {
    this.live = options.pubSub.subscribe(CAMPAIGN_TRIGGERED, options.campaign.id)[Symbol.asyncIterator]();
    // The first next() starts the repeater, which registers the listener synchronously: before the sync message is published.
    void this.pump();
    this.chain = this.start().catch((err) => this.fail(err));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<CampaignRunEvent> {
    return this;
  }

  next(): Promise<IteratorResult<CampaignRunEvent>> {
    if (this.out.length > 0) return Promise.resolve({ value: this.out.shift()!, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  return(): Promise<IteratorResult<CampaignRunEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<CampaignRunEvent>> {
    this.close();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- an iterator's throw() hands back what it was given
    return Promise.reject(err);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.out.length = 0;
    void this.live.return?.();
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve({ value: undefined, done: true });
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    const waiter = this.waiter;
    this.waiter = null;
    this.close();
    const error = err instanceof Error ? err : new Error(String(err));
    if (waiter) waiter.reject(error);
    else this.failure = error;
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const result = await this.live.next();
        if (result.done || this.closed) return;
        const event = result.value;
        if (event.kind === 'sync') {
          // Other streams of this campaign publish their own markers on the same channel.
          if (event.token === this.syncToken) this.syncSeen();
          continue;
        }
        this.chain = this.chain.then(() => this.handle(event)).catch((err) => this.fail(err));
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private async start(): Promise<void> {
    const { pubSub, campaign, source, afterSeq } = this.options;
    const sync: CampaignSyncEvent = { kind: 'sync', token: this.syncToken };
    pubSub.publish(CAMPAIGN_TRIGGERED, campaign.id, sync);
    let timer: NodeJS.Timeout | undefined;
    // Without the echo (a Redis hiccup) the stream still works: a later run pulls any missed one from the database.
    await Promise.race([
      this.synced,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.syncTimeoutMs ?? 5_000))),
    ]);
    clearTimeout(timer);
    if (this.closed) return;
    this.last = afterSeq ?? (await source.lastSeq(campaign.id));
    await this.fill(null);
    // The sync echo proves the local channel; with Redis, a run committed on another instance just before
    // our Redis SUBSCRIBE took effect would otherwise wait for the next run to be pulled in. Look again
    // shortly after: cheap (one indexed range query), and only at the start of a subscription.
    for (const delay of RECHECK_AFTER_MS) {
      const timer = setTimeout(() => {
        if (!this.closed) this.chain = this.chain.then(() => this.fill(null)).catch((err) => this.fail(err));
      }, delay);
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Sends the stored runs with last < seq < beforeSeq, in order. */
  private async fill(beforeSeq: number | null): Promise<void> {
    const { campaign, source } = this.options;
    for (;;) {
      if (this.closed) return;
      const runs = await source.runsBetween(campaign.id, this.last, beforeSeq, REPLAY_PAGE);
      for (const event of await source.eventsOf(campaign, runs)) this.emit(event);
      if (runs.length > 0) this.last = Math.max(this.last, runs[runs.length - 1].seq);
      if (runs.length < REPLAY_PAGE) return;
    }
  }

  private async handle(event: CampaignRunEvent): Promise<void> {
    if (this.closed || event.run.seq <= this.last) return;
    if (event.run.seq > this.last + 1) await this.fill(event.run.seq);
    if (this.closed || event.run.seq <= this.last) return;
    this.emit(event);
  }

  private emit(event: CampaignRunEvent): void {
    if (this.closed) return;
    this.last = Math.max(this.last, event.run.seq);
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter.resolve({ value: event, done: false });
      return;
    }
    this.out.push(event);
    if (this.out.length > (this.options.maxBuffered ?? 10_000))
      this.fail(new Error('campaignTriggered subscriber is too slow; resubscribe with after'));
  }
}
