import { randomUUID } from 'node:crypto';
import { globalId } from './helpers/ids';
import { RawWsClient } from './helpers/raw-ws';
import { connected, startTestServer, type TestServer } from './helpers/server';

const RECORD_MANY = `mutation($inputs: [RecordChatActivityInput!]!) { recordChatActivities(inputs: $inputs) { index payload { outcome activity { id } } error { code } } }`;
const STREAM = `subscription($after: String) { activityRecorded(after: $after) { id streamCursor visitorId pageUrl } }`;
const chat = { kind: 'DIALOGUE', id: 'flood', name: 'Flood' };

/** Activities of distinct visitors (each a GOAL_ACHIEVED: stored every time), with a long page URL so each event weighs. */
const inputs = (count: number, tag: string, pageUrl = `https://example.com/${'p'.repeat(1_900)}`) =>
  Array.from({ length: count }, (_, i) => ({
    type: 'GOAL_ACHIEVED',
    goal: 'g',
    visitorId: `${tag}-${i}`,
    sessionId: 's',
    chat,
    pageUrl,
  }));

/**
 * A subscriber that keeps up, resuming with `after` whenever it is cut off: it must end with every activity
 * exactly once, whatever the flood does to the other subscribers.
 */
function resumingSubscriber(server: TestServer) {
  const seen: string[] = [];
  let cursor: string | null = null;
  let cutOff = 0;
  let stopped = false;
  const client = server.wsClient();
  const run = () =>
    client.subscribe<any>(
      { query: STREAM, variables: { after: cursor } },
      {
        next: (result) => {
          if (result.errors?.[0]?.extensions?.code === 'SUBSCRIBER_TOO_SLOW') return;
          const event = result.data.activityRecorded;
          seen.push(event.id);
          cursor = event.streamCursor;
        },
        error: (errors: any) => {
          if (stopped) return;
          expect(errors?.[0]?.extensions?.code).toBe('SUBSCRIBER_TOO_SLOW');
          cutOff += 1;
          run();
        },
        complete: () => undefined,
      },
    );
  run();
  return {
    client,
    seen,
    get cutOff() {
      return cutOff;
    },
    stop: () => (stopped = true),
  };
}

describe('a subscriber that stops reading', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { subscriptionMaxPending: 200 } });
  });
  afterAll(() => server.stop());

  it('loses its own stream (SUBSCRIBER_TOO_SLOW) and nothing else: the server keeps serving, others lose nothing', async () => {
    const stuck = await RawWsClient.open(server.wsUrl);
    expect(await stuck.init({ authorization: `Bearer ${server.adminKey}` })).toMatchObject({ type: 'connection_ack' });
    stuck.subscribe('s1', STREAM);
    const healthy = resumingSubscriber(server);
    await connected(healthy.client);

    const recorded: string[] = [];
    const record = async (batch: ReturnType<typeof inputs>) => {
      const res = await server.gql(RECORD_MANY, { inputs: batch });
      expect(res.errors).toBeUndefined();
      expect(res.data.recordChatActivities.every((r: any) => r.payload?.outcome === 'RECORDED')).toBe(true);
      recorded.push(...res.data.recordChatActivities.map((r: any) => r.payload.activity.id));
    };
    // Both are listening once each has heard a probe.
    await record(inputs(1, `probe-${randomUUID()}`));
    await stuck.until(() => stuck.of('s1').some((m) => m.type === 'next'));
    await stuck.until(() => healthy.seen.length >= 1);

    stuck.socket.pause();
    const total = 5_000;
    const batch = 250;
    for (let start = 0; start < total; start += batch) await record(inputs(batch, `flood-${start}`));

    // Still serving: a query, and a new subscription that hears a new activity.
    expect((await server.gql('{ viewer { workspace { id } } }')).data.viewer.workspace.id).toBe(
      globalId('Workspace', server.workspaceId),
    );
    const late = await RawWsClient.open(server.wsUrl);
    await late.init({ authorization: `Bearer ${server.adminKey}` });
    late.subscribe('late', STREAM);
    let lateHeard = false;
    for (let attempt = 0; attempt < 40 && !lateHeard; attempt += 1) {
      await record(inputs(1, `late-${attempt}`, 'https://example.com/late'));
      await late
        .until(() => late.of('late').some((m) => m.type === 'next'), 250)
        .then(() => (lateHeard = true))
        .catch(() => undefined);
    }
    expect(lateHeard).toBe(true);
    late.close();

    // The healthy subscriber has every activity exactly once (it resumed with `after` if it was cut off too).
    await stuck.until(() => healthy.seen.length >= recorded.length, 60_000).catch(() => undefined);
    healthy.stop();
    expect(healthy.seen).toEqual(recorded);

    // The stuck one, once it reads again, finds the end of its stream: fewer events than were sent, then the error.
    stuck.socket.resume();
    await stuck.until(() => stuck.of('s1').some((m) => m.type === 'error'), 60_000);
    const own = stuck.of('s1');
    const error = own.find((m) => m.type === 'error')!;
    expect(error.payload[0].extensions).toMatchObject({ code: 'SUBSCRIBER_TOO_SLOW' });
    expect(error.payload[0].message).toMatch(/after/);
    expect(own.filter((m) => m.type === 'next').length).toBeLessThan(1 + total);
    stuck.close();
  }, 180_000);
});

describe('a burst of three concurrent batches of 500', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('reaches a healthy subscriber whole, and the server stays up', async () => {
    const listener = await RawWsClient.open(server.wsUrl);
    await listener.init({ authorization: `Bearer ${server.adminKey}` });
    listener.subscribe('all', STREAM);
    await server.gql(RECORD_MANY, { inputs: inputs(1, `probe-${randomUUID()}`, 'https://example.com/p') });
    await listener.until(() => listener.of('all').some((m) => m.type === 'next'));
    const before = listener.of('all').length;

    const results = await Promise.all(
      [0, 1, 2].map((n) => server.gql(RECORD_MANY, { inputs: inputs(500, `burst-${n}`, 'https://example.com/b') })),
    );
    for (const res of results) {
      expect(res.errors).toBeUndefined();
      expect(res.data.recordChatActivities.filter((r: any) => r.payload?.outcome === 'RECORDED')).toHaveLength(500);
    }
    await listener.until(() => listener.of('all').length >= before + 1_500, 60_000);
    const heard = listener.of('all').slice(before);
    expect(heard.every((m) => m.type === 'next')).toBe(true);
    expect(new Set(heard.map((m) => m.payload.data.activityRecorded.id)).size).toBe(1_500);
    expect((await server.gql('{ viewer { workspace { id } } }')).status).toBe(200);
    listener.close();
  }, 120_000);
});
