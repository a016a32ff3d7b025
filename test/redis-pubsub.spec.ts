import { createTestDatabase, TEST_REDIS_URL } from './helpers/database';
import { record as recordActivity } from './helpers/record';
import { startTestServer, subscribe } from './helpers/server';
import { TcpProxy } from './helpers/tcp-proxy';

const STREAM = `subscription { activityRecorded { id } }`;

const withRedis = TEST_REDIS_URL ? describe : describe.skip;

withRedis('subscriptions across instances through Redis', () => {
  it('reach every instance; while Redis is away local delivery goes on, and cross-instance delivery resumes when it returns, the missed event included', async () => {
    const redis = new URL(TEST_REDIS_URL!);
    const proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
    const viaProxy = new URL(TEST_REDIS_URL!);
    viaProxy.port = String(await proxy.start());
    const database = await createTestDatabase();
    const a = await startTestServer({ database, config: { redisUrl: viaProxy.toString() } });
    const b = await startTestServer({ database, config: { redisUrl: TEST_REDIS_URL } });
    let n = 0;
    const record = async () => {
      const input = {
        type: 'GOAL_ACHIEVED',
        goal: 'g',
        visitorId: `v${n++}`,
        sessionId: 's',
        chat: { kind: 'DIALOGUE', id: 'c', name: 'C' },
      };
      return (await recordActivity(a, input)).activity.id;
    };
    const ids = (sub: { received: Array<{ data?: any }> }) => sub.received.map((r) => r.data.activityRecorded.id);
    try {
      const onA = subscribe(a.wsClient(), STREAM);
      const onB = subscribe(b.wsClient(), STREAM);
      await new Promise((resolve) => setTimeout(resolve, 300));

      const first = await record();
      await onA.waitFor(1);
      await onB.waitFor(1);
      expect(ids(onA)).toEqual([first]);
      expect(ids(onB)).toEqual([first]);

      // Redis unreachable for instance A: its own subscribers still hear it, B cannot.
      await proxy.stop();
      const during = await record();
      await onA.waitFor(2);
      expect(ids(onA)).toEqual([first, during]);

      // Redis back: A reconnects and re-subscribes; new events reach B again.
      await proxy.start();
      const deadline = Date.now() + 15_000;
      let after: string | undefined;
      while (Date.now() < deadline) {
        after = await record();
        await new Promise((resolve) => setTimeout(resolve, 250));
        if (ids(onB).includes(after)) break;
      }
      expect(ids(onB)).toContain(after);
      // What B missed while Redis was away is pulled from the database when the next event shows the gap.
      expect(ids(onB).slice(0, 2)).toEqual([first, during]);
      // Nothing twice anywhere.
      expect(new Set(ids(onA)).size).toBe(ids(onA).length);
      expect(new Set(ids(onB)).size).toBe(ids(onB).length);
    } finally {
      await a.stop();
      await b.stop();
      await proxy.stop();
      await database.drop();
    }
  });
});
