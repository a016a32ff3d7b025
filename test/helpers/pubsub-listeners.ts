/**
 * Run as a child process by pubsub.spec.ts: 50 subscribers of one topic, one publish, the values received on
 * stdout. Node reports a listener-leak warning on the real process's stderr, which a jest test cannot observe
 * from inside its sandbox, hence the separate process.
 */
import { createAppPubSub } from '../../src/shared/pubsub';
import { createLogger } from '../../src/shared/logger';

void (async () => {
  const redisUrl = process.env.PUBSUB_REDIS_URL || undefined;
  const handle = createAppPubSub({ redisUrl, maxPending: 1_000 }, createLogger('silent'));
  const iterators = Array.from({ length: 50 }, () => handle.pubSub.subscribe('TOPIC', 'scope')[Symbol.asyncIterator]());
  // A subscription registers its listener on its first next().
  const received = iterators.map((iterator) => Promise.resolve(iterator.next()));
  // Through Redis the channel must be subscribed before a publish can come back.
  if (redisUrl) await new Promise((resolve) => setTimeout(resolve, 300));
  handle.pubSub.publish('TOPIC', 'scope', { n: 1 });
  const values = await Promise.all(received);
  process.stdout.write(JSON.stringify(values.map((result) => result.value)));
  await Promise.all(iterators.map((iterator) => Promise.resolve(iterator.return?.())));
  await handle.close();
})();
