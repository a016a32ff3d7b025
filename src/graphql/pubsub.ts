import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import Redis from 'ioredis';
import type { Logger } from '../logger';

/**
 * Topics and their payloads. Scoped topics carry an id (workspace, campaign)
 * so each listener only hears its own channel, locally and through Redis.
 * Payloads must survive JSON: Dates arrive as strings from Redis.
 */
export type Topics = {
  [topic: string]: [scopeId: string, payload: unknown];
};

export type AppPubSub = PubSub<Topics>;

export interface PubSubHandle {
  pubSub: AppPubSub;
  /** A general-purpose Redis connection (the publishing one), for other shared state such as rate limits. */
  redis?: Redis;
  close(): Promise<void>;
}

/** In-process without REDIS_URL; through Redis (two connections: one publishes, one listens) with it. */
export function createAppPubSub(redisUrl: string | undefined, log: Logger): PubSubHandle {
  if (!redisUrl) return { pubSub: createPubSub<Topics>(), close: async () => undefined };

  const options = { lazyConnect: false, maxRetriesPerRequest: null, enableOfflineQueue: true };
  const publishClient = new Redis(redisUrl, options);
  const subscribeClient = new Redis(redisUrl, options);
  for (const client of [publishClient, subscribeClient]) {
    client.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  }
  const eventTarget = createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient });
  return {
    pubSub: createPubSub<Topics>({ eventTarget }),
    redis: publishClient,
    close: async () => {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}
