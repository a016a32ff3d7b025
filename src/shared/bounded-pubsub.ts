import { AppError, ErrorCode } from './errors';

/**
 * Topics and their payloads, each feature's own (`<feature>.events.ts`),
 * combined in one map by the API layer (src/graphql/topics.ts). Topics are
 * scoped by an id (workspace, campaign) so each listener only hears its own
 * channel, locally and through Redis. Payloads cross Redis as JSON.
 */
export type TopicMap = Record<string, [scopeId: string, payload: unknown]>;

/** One subscriber's stream of a topic; `return()` ends it at once, even while a `next()` is pending. */
export interface Subscription<E> extends AsyncIterableIterator<E> {
  return(): Promise<IteratorResult<E>>;
}

export interface PubSub<T extends TopicMap> {
  publish<K extends keyof T & string>(topic: K, scopeId: T[K][0], payload: T[K][1]): void;
  subscribe<K extends keyof T & string>(topic: K, scopeId: T[K][0]): Subscription<T[K][1]>;
}

export const SUBSCRIBER_TOO_SLOW = 'SUBSCRIBER_TOO_SLOW';

/** The end of one stream whose reader fell too far behind; the client resumes with `after`. */
export class SubscriberTooSlowError extends AppError {
  constructor(limit: number) {
    super(
      ErrorCode.SUBSCRIBER_TOO_SLOW,
      `This subscription fell more than ${limit} events behind and was ended: subscribe again with \`after\` set to the last cursor received to resume without losing any`,
      undefined,
      SUBSCRIBER_TOO_SLOW,
    );
  }
}

/**
 * A pub/sub over an EventTarget whose every subscription is bounded.
 *
 * @graphql-yoga/subscription gives each subscriber an unbuffered repeater,
 * which throws once 1 024 pushes are pending, inside the event listener: Node
 * reports such a throw as an uncaught exception, and one reader that stops
 * reading took the whole process down. Here each subscription keeps its own
 * queue; past `maxPending` events it drops them, stops listening and ends
 * with SubscriberTooSlowError. A listener never throws, and publishing never
 * throws into its caller.
 */
export function boundedPubSub<T extends TopicMap>(
  target: EventTarget,
  options: { maxPending: number; onPublishError?: (err: unknown) => void },
): PubSub<T> {
  return {
    publish(topic, scopeId, payload) {
      try {
        target.dispatchEvent(new CustomEvent(`${topic}:${scopeId}`, { detail: payload }));
      } catch (err) {
        options.onPublishError?.(err);
      }
    },
    subscribe(topic, scopeId) {
      return new BoundedSubscription(target, `${topic}:${scopeId}`, options.maxPending);
    },
  };
}

class BoundedSubscription<E> implements Subscription<E> {
  private readonly queue: E[] = [];
  private waiter: { resolve: (result: IteratorResult<E>) => void; reject: (err: unknown) => void } | null = null;
  private failure: Error | null = null;
  private closed = false;

  constructor(
    private readonly target: EventTarget,
    private readonly type: string,
    private readonly maxPending: number,
  ) {
    // Listening from the start: an event published right after subscribe() is not missed.
    target.addEventListener(type, this.listener);
  }

  private readonly listener = (event: Event): void => {
    if (this.closed) return;
    const value = (event as CustomEvent<E>).detail;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter.resolve({ value, done: false });
      return;
    }
    this.queue.push(value);
    if (this.queue.length > this.maxPending) this.fail(new SubscriberTooSlowError(this.maxPending));
  };

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<E>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  return(): Promise<IteratorResult<E>> {
    this.stop();
    this.queue.length = 0;
    this.failure = null;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<E>> {
    void this.return();
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }

  private fail(err: Error): void {
    this.stop();
    // What is queued is dropped with the stream: memory is freed now, not when the reader gets to it.
    this.queue.length = 0;
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter) waiter.reject(err);
    else this.failure = err;
  }

  private stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.target.removeEventListener(this.type, this.listener);
  }
}
