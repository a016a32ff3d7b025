import { randomUUID } from 'node:crypto';
import { SubscriberTooSlowError, type Subscription } from './bounded-pubsub';

/** A control message on a stream's topic: a subscriber waits to see its own before replaying (the live channel is then open). */
export interface SyncMarker {
  kind: 'sync';
  token: string;
}

/** An event of a sequenced stream: `seq` numbers the stream's events from 1, in commit order, without holes. */
export interface SequencedEvent {
  kind: string;
  seq: number;
}

/** Where a stream's stored events are read back from (the database). */
export interface SequencedSource<E extends SequencedEvent> {
  /** The stream's last committed sequence number (0 when empty). */
  head(): Promise<number>;
  /** Stored events with afterSeq < seq (< beforeSeq when given) that this subscriber wants, in seq order, at most `limit`. */
  between(afterSeq: number, beforeSeq: number | null, limit: number): Promise<E[]>;
}

export interface ReplayStreamOptions<E extends SequencedEvent> {
  /** The live topic, subscribed before anything is read. */
  live: Subscription<E | SyncMarker>;
  /** Publishes a sync marker on that same topic. */
  publishSync(marker: SyncMarker): void;
  source: SequencedSource<E>;
  /** Replay stored events after this sequence number; null starts with the next event. */
  afterSeq: number | null;
  /** Which live events this subscriber is sent (every event still moves its position forward). */
  wants?: (event: E) => boolean;
  /** Events a reader may fall behind by before the stream ends with SUBSCRIBER_TOO_SLOW. */
  maxBuffered: number;
  /** How long to wait for the live channel to confirm it is open (Redis SUBSCRIBE is asynchronous). */
  syncTimeoutMs?: number;
}

const REPLAY_PAGE = 100;
const RECHECK_AFTER_MS = [500, 3_000];

/**
 * A sequenced stream for one subscriber, in sequence order, with none lost
 * or repeated:
 *
 * 1. Subscribe to the live topic first and wait until our own sync marker
 *    comes back through it, so the channel is really open (through Redis too).
 *    Live events arriving meanwhile wait in line behind the replay.
 * 2. Replay stored events after `afterSeq` up to the head read then (or start
 *    at the head).
 * 3. Then take live events in arrival order, dropping seq ≤ the last one
 *    handled. Sequence numbers are allocated under a lock held until commit,
 *    so they commit in order and without holes: a live event whose seq is
 *    not last + 1 (publishes of two transactions, or of two instances, may
 *    overtake each other; Redis may have lost some) first pulls the missing
 *    ones from the database. That is the only per-subscriber query, and only
 *    on such a race; normally the event carries everything.
 *
 * `return()` (client gone) ends the live subscription at once, even while a
 * `next()` is pending. A reader that falls more than `maxBuffered` events
 * behind gets SubscriberTooSlowError and the end of the stream.
 */
export class ReplayStream<E extends SequencedEvent> implements Subscription<E> {
  private readonly out: E[] = [];
  private waiter: { resolve: (r: IteratorResult<E>) => void; reject: (err: unknown) => void } | null = null;
  private failure: unknown = null;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private last = 0;
  /** Live events waiting behind the replay (or a gap fill): bounded like the output. */
  private queued = 0;
  private chain: Promise<void>;
  /** Resolves when the reader has taken what a replay page put out (replay waits for the reader, live does not). */
  private drained: (() => void) | null = null;
  private readonly syncToken = randomUUID();
  private syncSeen!: () => void;
  private readonly synced = new Promise<void>((resolve) => (this.syncSeen = resolve));

  constructor(private readonly options: ReplayStreamOptions<E>) {
    void this.pump();
    this.chain = this.start().catch((err) => this.fail(err));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<E>> {
    if (this.out.length > 0) {
      const value = this.out.shift()!;
      if (this.drained && this.out.length === 0) {
        const drained = this.drained;
        this.drained = null;
        drained();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      // Whatever the source threw, passed on as it was.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(failure);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  return(): Promise<IteratorResult<E>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<E>> {
    this.close();
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.out.length = 0;
    this.drained?.();
    this.drained = null;
    void this.options.live.return();
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve({ value: undefined, done: true });
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    const waiter = this.waiter;
    this.waiter = null;
    this.close();
    if (waiter) waiter.reject(err);
    else this.failure = err;
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const result = await this.options.live.next();
        if (result.done || this.closed) return;
        const event = result.value;
        if (event.kind === 'sync') {
          if ((event as SyncMarker).token === this.syncToken) this.syncSeen();
          continue;
        }
        this.queued += 1;
        if (this.queued > this.options.maxBuffered) {
          this.fail(new SubscriberTooSlowError(this.options.maxBuffered));
          return;
        }
        this.chain = this.chain
          .then(() => {
            this.queued -= 1;
            return this.handle(event as E);
          })
          .catch((err) => this.fail(err));
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private async start(): Promise<void> {
    const { source, afterSeq } = this.options;
    this.options.publishSync({ kind: 'sync', token: this.syncToken });
    let timer: NodeJS.Timeout | undefined;
    // Without the echo (a Redis hiccup) the stream still works: a later event pulls any missed one from the database.
    await Promise.race([
      this.synced,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.syncTimeoutMs ?? 5_000))),
    ]);
    clearTimeout(timer);
    if (this.closed) return;
    const head = await source.head();
    if (afterSeq === null || afterSeq >= head) {
      this.last = Math.max(head, afterSeq ?? 0);
    } else {
      this.last = afterSeq;
      await this.fill(head + 1);
    }
    // The sync echo proves the local channel; with Redis, an event committed on another instance just before
    // our Redis SUBSCRIBE took effect would otherwise wait for the next event to be pulled in. Look again
    // shortly after: cheap (one indexed range query), and only at the start of a subscription.
    for (const delay of RECHECK_AFTER_MS) {
      const timer = setTimeout(() => {
        if (!this.closed) this.chain = this.chain.then(() => this.catchUp()).catch((err) => this.fail(err));
      }, delay);
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Whatever was committed since the last event handled. */
  private async catchUp(): Promise<void> {
    const head = await this.options.source.head();
    if (head > this.last) await this.fill(head + 1);
  }

  /**
   * Sends the stored events with last < seq < beforeSeq this subscriber
   * wants, in order; then last = beforeSeq - 1. A page at a time, each once
   * the reader took the previous one: stored events wait in the database, so
   * however long the replay, only what is live counts against `maxBuffered`.
   */
  private async fill(beforeSeq: number): Promise<void> {
    const { source } = this.options;
    for (;;) {
      if (this.out.length > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      if (this.closed) return;
      const events = await source.between(this.last, beforeSeq, REPLAY_PAGE);
      for (const event of events) this.emit(event, true);
      if (events.length < REPLAY_PAGE) break;
    }
    this.last = Math.max(this.last, beforeSeq - 1);
  }

  private async handle(event: E): Promise<void> {
    if (this.closed || event.seq <= this.last) return;
    if (event.seq > this.last + 1) await this.fill(event.seq);
    if (this.closed || event.seq <= this.last) return;
    this.last = event.seq;
    if (this.options.wants && !this.options.wants(event)) return;
    this.emit(event);
  }

  private emit(event: E, replayed = false): void {
    if (this.closed) return;
    this.last = Math.max(this.last, event.seq);
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter.resolve({ value: event, done: false });
      return;
    }
    this.out.push(event);
    if (!replayed && this.out.length > this.options.maxBuffered) {
      this.fail(new SubscriberTooSlowError(this.options.maxBuffered));
    }
  }
}
