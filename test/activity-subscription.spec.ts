import { createTestDatabase, TEST_REDIS_URL } from './helpers/database';
import { record as recordActivity } from './helpers/record';
import { startTestServer, subscribe, type TestServer } from './helpers/server';

const SUBSCRIPTION = `subscription($personId: ID) { activityRecorded(personId: $personId) { id type visitorId person { id } ... on GoalAchievedActivity { goal } } }`;

describe('activityRecorded over graphql-ws', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const record = (visitorId: string, extra: Record<string, unknown> = {}, key?: string) =>
    recordActivity(
      server,
      {
        type: 'GOAL_ACHIEVED',
        goal: 'g',
        visitorId,
        sessionId: 's',
        chat: { kind: 'DIALOGUE', id: 'c', name: 'C' },
        ...extra,
      },
      key,
    );
  type Sub = ReturnType<typeof subscribe<any>>;
  const isProbe = (r: any) => r.data?.activityRecorded?.goal === 'probe';
  const real = (sub: Sub) => sub.received.filter((r) => !isProbe(r));
  const heard = (sub: Sub, id: string) => sub.received.some((r) => r.data?.activityRecorded?.id === id);
  /** Waits (up to waitFor's limit) until the listener received the activity `id`. */
  const untilHeard = async (sub: Sub, id: string, timeoutMs?: number) => {
    while (!heard(sub, id)) {
      if (sub.error || sub.completed) throw new Error('subscription ended');
      await sub.waitFor(sub.received.length + 1, timeoutMs);
    }
  };
  /**
   * graphql-ws does not acknowledge a subscription: record probes until the
   * listener hears one, so it is surely registered before the real events.
   * Probes are marked (goal "probe") and left out of every assertion.
   */
  const ready = async (sub: Sub, visitorId: string, key?: string) => {
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const probe = await record(visitorId, { goal: 'probe' }, key);
      try {
        await untilHeard(sub, probe.activity.id, 250);
        return;
      } catch (err) {
        if (sub.error || sub.completed) throw err;
      }
    }
    throw new Error('the subscription never became active');
  };

  it("delivers exactly the recorded activities of one person, or of the whole workspace, never another workspace's", async () => {
    const other = await server.createWorkspace();
    const alice = await record('alice');
    const alicePerson = alice.activity.person.id;

    const perPerson = subscribe(server.wsClient(), SUBSCRIPTION, { personId: alicePerson });
    const workspace = subscribe(server.wsClient(), SUBSCRIPTION, {});
    const foreign = subscribe(server.wsClient(other.adminKey), SUBSCRIPTION, {});
    await ready(perPerson, 'alice');
    await ready(workspace, 'alice');
    await ready(foreign, 'carol', other.adminKey);

    const a1 = await record('alice', { goal: 'first', clientEventId: 'a1' });
    const b1 = await record('bob');
    expect((await record('alice', { goal: 'first', clientEventId: 'a1' })).outcome).toBe('DUPLICATE_REQUEST');
    const t1 = await record('alice', { type: 'TRIGGERED', goal: undefined });
    expect((await record('alice', { type: 'TRIGGERED', goal: undefined })).outcome).toBe('ALREADY_LOGGED_IN_SESSION');
    const c1 = await record('carol', {}, other.adminKey);

    // Events reach a connection in publish order: once a final probe arrived, anything published before it
    // (a duplicate, a stray event) would have too.
    const aliceEnd = await record('alice', { goal: 'probe' });
    const carolEnd = await record('carol', { goal: 'probe' }, other.adminKey);
    await untilHeard(perPerson, aliceEnd.activity.id);
    await untilHeard(workspace, aliceEnd.activity.id);
    await untilHeard(foreign, carolEnd.activity.id);

    const ids = (sub: Sub) => real(sub).map((r) => r.data.activityRecorded.id);
    expect(ids(perPerson)).toEqual([a1.activity.id, t1.activity.id]);
    expect(real(perPerson)[0].data.activityRecorded).toMatchObject({
      type: 'GOAL_ACHIEVED',
      goal: 'first',
      visitorId: 'alice',
      person: { id: alicePerson },
    });
    expect(perPerson.received.every((r) => r.data.activityRecorded.person.id === alicePerson)).toBe(true);
    expect(ids(workspace)).toEqual([a1.activity.id, b1.activity.id, t1.activity.id]);
    expect(ids(foreign)).toEqual([c1.activity.id]);
    expect(foreign.received.every((r) => r.data.activityRecorded.visitorId === 'carol')).toBe(true);
  });

  it('needs the SUBSCRIBE scope', async () => {
    const readOnly = await server.createKey(server.workspaceId, ['READ']);
    const sub = subscribe(server.wsClient(readOnly), SUBSCRIPTION, {});
    const [result] = await sub.waitFor(1);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
  });
});

const withRedis = TEST_REDIS_URL ? describe : describe.skip;

withRedis('activityRecorded across instances (Redis)', () => {
  it("reaches a listener of the person on another instance with every field intact, and no other workspace's listener", async () => {
    const database = await createTestDatabase();
    const a = await startTestServer({ database, config: { redisUrl: TEST_REDIS_URL } });
    const b = await startTestServer({ database, config: { redisUrl: TEST_REDIS_URL }, adminKey: a.adminKey });
    try {
      const other = await a.createWorkspace();
      const chat = { kind: 'DIALOGUE', id: 'c', name: 'C' };
      const rec = (input: Record<string, unknown>, key?: string) =>
        recordActivity(a, { visitorId: 'remote', sessionId: 's', chat, ...input }, key);
      const personId = (await rec({ type: 'GOAL_ACHIEVED', goal: 'first' })).activity.person.id;
      const query = `subscription($personId: ID) { activityRecorded(personId: $personId) {
        id occurredAt recordedAt visitorId person { id } ... on GoalAchievedActivity { goal }
        ... on MeetingScheduledActivity { meeting { startsAt durationMinutes status agent { id: widgetId name } } } } }`;
      const onB = subscribe(b.wsClient(), query, { personId });
      const foreignOnB = subscribe(b.wsClient(other.adminKey), query, {});
      // No subscription acknowledgement in graphql-ws: probe until B's listener hears one.
      let probe = '';
      for (
        let attempt = 0;
        attempt < 40 && !onB.received.some((r) => r.data?.activityRecorded?.id === probe);
        attempt += 1
      ) {
        probe = (await rec({ type: 'GOAL_ACHIEVED', goal: 'probe' })).activity.id;
        await onB.waitFor(onB.received.length + 1, 250).catch(() => undefined);
      }
      const occurredAt = new Date(Date.now() - 60_000).toISOString();
      const startsAt = new Date(Date.now() + 86_400_000).toISOString();
      const meeting = await rec({
        type: 'MEETING_SCHEDULED',
        occurredAt,
        meeting: { startsAt, durationMinutes: 45, agent: { id: 'ag', name: 'Sam' } },
      });
      const last = (await rec({ type: 'GOAL_ACHIEVED', goal: 'probe' })).activity.id;
      while (!onB.received.some((r) => r.data?.activityRecorded?.id === last))
        await onB.waitFor(onB.received.length + 1);

      const heard = onB.received.map((r) => r.data.activityRecorded).filter((x: any) => x.goal !== 'probe');
      expect(heard).toHaveLength(1);
      // Over Redis the row arrives as JSON (dates as strings): every date must still come out right.
      expect(heard[0]).toMatchObject({
        id: meeting.activity.id,
        occurredAt,
        visitorId: 'remote',
        person: { id: personId },
        meeting: { startsAt, durationMinutes: 45, status: 'SCHEDULED', agent: { id: 'ag', name: 'Sam' } },
      });
      expect(Number.isNaN(Date.parse(heard[0].recordedAt))).toBe(false);
      expect(foreignOnB.received).toEqual([]);
    } finally {
      await a.stop();
      await b.stop();
      await database.drop();
    }
  });
});
