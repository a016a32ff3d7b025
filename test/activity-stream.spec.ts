import { createTestDatabase, TEST_REDIS_URL } from './helpers/database';
import { TcpProxy } from './helpers/tcp-proxy';
import { startTestServer, subscribe, type TestServer } from './helpers/server';

const RECORD_MANY = `mutation($inputs: [RecordChatActivityInput!]!) {
  recordChatActivities(inputs: $inputs) { payload { outcome activity { id streamCursor person { id } } } error { code } } }`;
const STREAM = `subscription($personId: ID, $after: String) {
  activityRecorded(personId: $personId, after: $after) { id streamCursor visitorId } }`;
const chat = { kind: 'DIALOGUE', id: 'c', name: 'C' };
const goal = (visitorId: string, n: number) => ({
  type: 'GOAL_ACHIEVED',
  goal: `g${n}`,
  visitorId,
  sessionId: 's',
  chat,
});

async function record(server: TestServer, batch: Array<Record<string, unknown>>) {
  const res = await server.gql(RECORD_MANY, { inputs: batch });
  expect(res.errors).toBeUndefined();
  return res.data.recordChatActivities.map((r: any) => r.payload.activity) as Array<{
    id: string;
    streamCursor: string;
    person: { id: string };
  }>;
}

/** Collects a stream until it holds `ids` (in any order), then checks it holds exactly them, in stream order. */
async function expectExactly(sub: ReturnType<typeof subscribe<any>>, ids: string[]) {
  const heard = () => sub.received.map((r) => r.data?.activityRecorded?.id);
  while (!ids.every((id) => heard().includes(id))) {
    if (sub.error || sub.completed) throw new Error(`stream ended: ${JSON.stringify(sub.error)}`);
    await sub.waitFor(sub.received.length + 1, 15_000);
  }
  expect(heard()).toEqual(ids);
}

describe('activityRecorded(after:)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('replays what was recorded while the client was away, then goes live, with nothing lost or repeated', async () => {
    const [first] = await record(server, [goal('away-a', 0)]);
    const live = subscribe(server.wsClient(), STREAM, { after: first.streamCursor });
    // Recorded while nobody listens with this cursor: replayed.
    const missed = await record(server, [goal('away-a', 1), goal('away-b', 2), goal('away-a', 3)]);
    await expectExactly(
      live,
      missed.map((a) => a.id),
    );
    // Then live, in order.
    const later = await record(server, [goal('away-b', 4), goal('away-a', 5)]);
    await expectExactly(
      live,
      [...missed, ...later].map((a) => a.id),
    );
    live.unsubscribe();

    // Disconnect, record, reconnect from the last cursor received.
    const lastSeen = live.received[live.received.length - 1].data.activityRecorded.streamCursor;
    const whileAway = await record(server, [goal('away-a', 6), goal('away-b', 7)]);
    const resumed = subscribe(server.wsClient(), STREAM, { after: lastSeen });
    await expectExactly(
      resumed,
      whileAway.map((a) => a.id),
    );
    const afterResume = await record(server, [goal('away-a', 8)]);
    await expectExactly(
      resumed,
      [...whileAway, ...afterResume].map((a) => a.id),
    );
  });

  it("filters one person's activities, replayed and live", async () => {
    const [mine] = await record(server, [goal('filter-me', 0)]);
    const personId = mine.person.id;
    const sub = subscribe(server.wsClient(), STREAM, { personId, after: mine.streamCursor });
    const batch = await record(server, [goal('filter-me', 1), goal('filter-other', 2), goal('filter-me', 3)]);
    const more = await record(server, [goal('filter-other', 4), goal('filter-me', 5)]);
    await expectExactly(sub, [batch[0].id, batch[2].id, more[1].id]);
  });

  it('refuses a cursor that is not one (BAD_USER_INPUT on after)', async () => {
    const sub = subscribe(server.wsClient(), STREAM, { after: 'nope' });
    const [result] = await sub.waitFor(1).catch(() => [{ errors: (sub.error as any) ?? [] }]);
    const errors = result.errors ?? (sub.error as any);
    expect(errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['after'] });
  });
});

const withRedis = TEST_REDIS_URL ? describe : describe.skip;

withRedis('activityRecorded(after:) across instances', () => {
  it('resumes on another instance with nothing lost or repeated, Redis stopped and started in between', async () => {
    const redis = new URL(TEST_REDIS_URL!);
    // Redis behind a proxy the test controls: stopping the proxy is Redis going away for both instances.
    const proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
    const port = await proxy.start();
    const redisUrl = `redis://127.0.0.1:${port}`;
    const database = await createTestDatabase();
    const a = await startTestServer({ database, config: { redisUrl } });
    const b = await startTestServer({ database, config: { redisUrl }, adminKey: a.adminKey });
    try {
      const [start] = await record(a, [goal('multi', 0)]);
      const onB = subscribe(b.wsClient(), STREAM, { after: start.streamCursor });
      const fromA = await record(a, [goal('multi', 1), goal('multi', 2)]);
      await expectExactly(
        onB,
        fromA.map((x) => x.id),
      );
      onB.unsubscribe();
      const cursor = onB.received[onB.received.length - 1].data.activityRecorded.streamCursor;

      await proxy.stop();
      const duringOutage = [...(await record(a, [goal('multi', 3)])), ...(await record(b, [goal('multi', 4)]))];
      await proxy.start();

      const resumedOnA = subscribe(a.wsClient(), STREAM, { after: cursor });
      const afterOutage = await record(b, [goal('multi', 5), goal('multi', 6)]);
      await expectExactly(
        resumedOnA,
        [...duringOutage, ...afterOutage].map((x) => x.id),
      );
    } finally {
      await a.stop();
      await b.stop();
      await database.drop();
      await proxy.stop();
    }
  }, 60_000);
});
