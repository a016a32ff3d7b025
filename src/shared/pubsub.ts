import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import Redis from 'ioredis';
import { boundedPubSub, type PubSub, type TopicMap } from './bounded-pubsub';
import type { Logger } from './logger';

export type { PubSub, Subscription, TopicMap } from './bounded-pubsub';

export interface PubSubHandle<T extends TopicMap> {
  pubSub: PubSub<T>;
  /** A general-purpose Redis connection (the publishing one), for other shared state such as rate limits. */
  redis?: Redis;
  close(): Promise<void>;
}

/** What crosses Redis: the payload and the instance that published it. */
interface Relayed {
  origin: string;
  detail: unknown;
}

/**
 * Local-first delivery with a Redis relay. Listeners of this instance get an
 * event at once, in process; the event also goes through the Redis event
 * target to the other instances, tagged with its origin so an instance never
 * hears its own twice. Hence while Redis is unreachable this instance's
 * subscribers keep receiving, and the other instances resume when it returns
 * (ioredis re-subscribes the channels).
 */
class LocalFirstEventTarget extends EventTarget {
  private readonly origin = randomUUID();
  private readonly relays = new Map<string, { count: number; relay: (event: CustomEvent<Relayed>) => void }>();

  constructor(private readonly remote: ReturnType<typeof createRedisEventTarget<CustomEvent<Relayed>>>) {
    super();
    unlimitedListeners(this);
  }

  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    super.addEventListener(...args);
    const type = args[0];
    const existing = this.relays.get(type);
    if (existing) {
      existing.count += 1;
      return;
    }
    const relay = (event: CustomEvent<Relayed>) => {
      if (event.detail?.origin !== this.origin)
        super.dispatchEvent(new CustomEvent(type, { detail: event.detail?.detail }));
    };
    this.relays.set(type, { count: 1, relay });
    this.remote.addEventListener(type, relay);
  }

  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>): void {
    super.removeEventListener(...args);
    const type = args[0];
    const existing = this.relays.get(type);
    if (!existing) return;
    existing.count -= 1;
    if (existing.count > 0) return;
    this.relays.delete(type);
    this.remote.removeEventListener(type, existing.relay);
  }

  override dispatchEvent(event: Event): boolean {
    const detail: unknown = (event as CustomEvent<unknown>).detail;
    super.dispatchEvent(new CustomEvent(event.type, { detail }));
    this.remote.dispatchEvent(new CustomEvent<Relayed>(event.type, { detail: { origin: this.origin, detail } }));
    return true;
  }
}

/**
 * The Redis event target calls publish/subscribe without handling their
 * promises; a Redis outage would surface as unhandled rejections (which end a
 * Node process). This view of a client logs those failures instead, at most
 * once a second.
 */
function tolerant(client: Redis, log: Logger): Redis {
  let last = 0;
  const warn = (what: string) => (err: Error) => {
    if (Date.now() - last < 1_000) return;
    last = Date.now();
    log.warn({ err: err.message }, `redis ${what} failed`);
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property === 'publish' || property === 'subscribe' || property === 'unsubscribe') {
        return (...args: unknown[]) =>
          (value as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch(warn(String(property)));
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Every subscriber of a topic is a listener of the event target (1 000 listeners on one campaign are 1 000), so
 * Node's "possible EventTarget memory leak" warning at the 11th would fire on ordinary use and mean nothing.
 */
function unlimitedListeners(target: EventTarget): EventTarget {
  setMaxListeners(0, target);
  return target;
}

export interface PubSubOptions {
  /** Set: relayed through Redis so several instances share subscriptions; in-process without it. */
  redisUrl?: string;
  /** Events one subscription may fall behind by before it is ended with SUBSCRIBER_TOO_SLOW. */
  maxPending: number;
}

/** In-process without a Redis URL; relayed through Redis (two connections: one publishes, one listens) with it. */
export function createAppPubSub<T extends TopicMap>(options: PubSubOptions, log: Logger): PubSubHandle<T> {
  const { redisUrl, maxPending } = options;
  const onPublishError = (err: unknown) => log.error({ err }, 'publishing an event failed');
  if (!redisUrl)
    return {
      pubSub: boundedPubSub<T>(unlimitedListeners(new EventTarget()), { maxPending, onPublishError }),
      close: () => Promise.resolve(),
    };

  // Publishing fails fast while Redis is away instead of queueing stale events without bound.
  const publishClient = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const subscribeClient = new Redis(redisUrl, { autoResubscribe: true, maxRetriesPerRequest: null });
  let lastError = 0;
  for (const client of [publishClient, subscribeClient]) {
    client.on('error', (err: Error) => {
      if (Date.now() - lastError < 1_000) return;
      lastError = Date.now();
      log.warn({ err: err.message }, 'redis connection error');
    });
  }
  const remote = createRedisEventTarget<CustomEvent<Relayed>>({
    publishClient: tolerant(publishClient, log),
    subscribeClient: tolerant(subscribeClient, log),
  });
  const eventTarget = new LocalFirstEventTarget(remote);
  return {
    pubSub: boundedPubSub<T>(eventTarget, { maxPending, onPublishError }),
    redis: publishClient,
    close: async () => {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
