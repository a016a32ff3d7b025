import { TEST_MYSQL_URL, TEST_REDIS_URL } from './helpers/database';
import { rawOf } from './helpers/ids';
import {
  activeCampaign,
  CAMPAIGN_TRIGGERED,
  CREATE_CAMPAIGN,
  campaignInput,
  goal,
  unique,
} from './helpers/campaign-fixtures';
import { record, RECORD } from './helpers/record';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startChildServer, type ChildServer } from './helpers/child-server';
import { startTestServer, subscribe, type TestServer } from './helpers/server';
import { CampaignRun } from '../src/campaign/campaign.type';

/** The cursor before a campaign's first run (sequence numbers start at 1). */
const FROM_START = Buffer.from(JSON.stringify([0])).toString('base64url');

describe('campaignTriggered', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  let key: string;
  let workspaceId: string;
  beforeEach(async () => {
    ({ adminKey: key, workspaceId } = await server.createWorkspace(unique('workspace')));
  });

  const runsOf = (results: Array<{ data?: any; errors?: any[] }>) =>
    results.map((r) => {
      expect(r.errors).toBeUndefined();
      return r.data.campaignTriggered;
    });

  it('delivers exactly the runs of its campaign, in order, with the whole run', async () => {
    const mine = await activeCampaign(
      server,
      {
        triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['mine'] } } }],
        flow: [{ action: 'CHANGE_SCORE', scoreDelta: 2 }],
      },
      key,
    );
    const otherCampaign = await activeCampaign(
      server,
      { triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['other'] } } }] },
      key,
    );
    const otherWorkspace = await server.createWorkspace(unique('workspace'));
    await activeCampaign(server, {}, otherWorkspace.adminKey);

    // From the very first run: no race between the subscription starting and the first record.
    const sub = subscribe(server.wsClient(key), CAMPAIGN_TRIGGERED, { campaignId: mine, after: FROM_START });
    const other = subscribe(server.wsClient(key), CAMPAIGN_TRIGGERED, { campaignId: otherCampaign, after: FROM_START });
    const visitor = unique('visitor');
    const first = await record(server, goal(visitor, 'mine'), key);
    await sub.waitFor(1);

    const expected = [first.activity.id];
    for (let i = 0; i < 5; i += 1) {
      await record(server, goal(unique('visitor'), 'mine'), otherWorkspace.adminKey);
      await record(server, goal(visitor, 'other'), key);
      expected.push((await record(server, goal(visitor, 'mine'), key)).activity.id);
    }
    const runs = runsOf(await sub.waitFor(6));
    expect(runs.map((r: any) => r.activity.id)).toEqual(expected);
    expect(runs.every((r: any) => r.campaign.id === mine)).toBe(true);
    expect(runs[0]).toMatchObject({
      activity: { type: 'GOAL_ACHIEVED', goal: 'mine' },
      person: { id: first.activity.person.id, score: 2 },
      steps: [{ position: 1, action: 'CHANGE_SCORE', outcome: 'DONE' }],
    });
    expect(runs[5].person.score).toBe(12);
    const cursors = runs.map((r: any) => r.cursor);
    expect(new Set(cursors).size).toBe(6);

    // The other campaign's listener saw its own five runs and nothing else.
    const otherRuns = runsOf(await other.waitFor(5));
    expect(otherRuns.every((r: any) => r.campaign.id === otherCampaign)).toBe(true);
    // Nothing more arrives on the first subscription: one more own run comes next, not a stray one.
    const last = await record(server, goal(visitor, 'mine'), key);
    expect(runsOf(await sub.waitFor(7))[6].activity.id).toBe(last.activity.id);
    expect(sub.received).toHaveLength(7);
    sub.unsubscribe();
    other.unsubscribe();
  });

  it('refuses inactive campaigns, campaigns of other workspaces and keys without SUBSCRIBE', async () => {
    const inactive = (await server.gql(CREATE_CAMPAIGN, { input: campaignInput() }, key)).data.createCampaign.id;
    const active = await activeCampaign(server, {}, key);
    const other = await server.createWorkspace(unique('workspace'));
    const readOnly = await server.createKey(workspaceId, ['READ']);
    const cases: Array<[string, string, string]> = [
      [key, inactive, 'BAD_USER_INPUT'],
      [other.adminKey, active, 'NOT_FOUND'],
      [readOnly, active, 'FORBIDDEN'],
      [key, 'no-such-campaign', 'NOT_FOUND'],
    ];
    for (const [k, campaignId, code] of cases) {
      const sub = subscribe(server.wsClient(k), CAMPAIGN_TRIGGERED, { campaignId });
      await expect(sub.waitFor(1)).resolves.toBeDefined();
      const errors = sub.received[0]?.errors ?? (sub.error as any[]);
      expect(errors?.[0]?.extensions?.code).toBe(code);
    }
  });

  it('resumes after a disconnect: missed runs, then live ones, none twice, none missing, even while runs are recorded during the replay', async () => {
    const campaignId = await activeCampaign(server, {}, key);
    const visitor = unique('visitor');
    const client = server.wsClient(key);
    const sub = subscribe(client, CAMPAIGN_TRIGGERED, { campaignId, after: FROM_START });
    const recorded: string[] = [];
    recorded.push((await record(server, goal(visitor), key)).activity.id);
    const [firstResult] = runsOf(await sub.waitFor(1));
    sub.unsubscribe();
    await client.dispose();

    // Missed while away.
    for (let i = 0; i < 30; i += 1) recorded.push((await record(server, goal(visitor), key)).activity.id);

    const resumed = subscribe(server.wsClient(key), CAMPAIGN_TRIGGERED, { campaignId, after: firstResult.cursor });
    // Recorded concurrently with the replay, and after it.
    const concurrent = Promise.all(
      Array.from({ length: 20 }, async () => (await record(server, goal(visitor), key)).activity.id),
    );
    const ids = await concurrent;
    const total = 30 + 20;
    const runs = runsOf(await resumed.waitFor(total, 15_000));
    const seen = runs.map((r: any) => r.activity.id);
    expect(new Set(seen).size).toBe(total);
    expect(seen.slice(0, 30)).toEqual(recorded.slice(1));
    expect(new Set(seen.slice(30))).toEqual(new Set(ids));
    // Cursors are strictly increasing: the stream is in run order.
    const seqs = runs.map((r: any) => JSON.parse(Buffer.from(r.cursor, 'base64url').toString())[0]);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    // Then live, still without repeats.
    const live = await record(server, goal(visitor), key);
    const after = runsOf(await resumed.waitFor(total + 1));
    expect(after[total].activity.id).toBe(live.activity.id);
    expect(resumed.received).toHaveLength(total + 1);
    resumed.unsubscribe();
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const heard = (sub: ReturnType<typeof subscribe<any>>, field: string, activityId: string) =>
    sub.received.some((r) => r.data?.[field]?.activity?.id === activityId || r.data?.[field]?.id === activityId);

  /**
   * graphql-ws does not acknowledge a subscription: record warm-up activities
   * until every listener heard the latest one. Events reach a connection in
   * publish order, so nothing older is still in flight afterwards.
   */
  async function untilAllLive(
    subs: Array<ReturnType<typeof subscribe<any>>>,
    field: string,
    recordOne: () => Promise<string>,
  ): Promise<void> {
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const activityId = await recordOne();
      for (const deadline = Date.now() + 1_000; Date.now() < deadline; await sleep(25)) {
        if (subs.every((sub) => heard(sub, field, activityId))) return;
      }
    }
    throw new Error('listeners never went live');
  }

  it('executes a run once for all listeners asking the same thing, and separately for a different query or scopes', async () => {
    const campaignId = await activeCampaign(server, { flow: [{ action: 'CHANGE_SCORE', scoreDelta: 1 }] }, key);
    const from = jest.spyOn(CampaignRun, 'from');
    try {
      const same = Array.from({ length: 20 }, () =>
        subscribe(server.wsClient(key), CAMPAIGN_TRIGGERED, { campaignId }),
      );
      const other = subscribe(
        server.wsClient(key),
        'subscription($id: ID!) { campaignTriggered(campaignId: $id) { id activity { id } } }',
        { id: campaignId },
      );
      // Reading a run's person needs READ besides SUBSCRIBE: personal data is never shown to SUBSCRIBE alone.
      const subscribeKey = await server.createKey(workspaceId, ['SUBSCRIBE', 'READ']);
      const narrower = subscribe(server.wsClient(subscribeKey), CAMPAIGN_TRIGGERED, { campaignId });
      const all = [...same, other, narrower];
      await untilAllLive(
        all,
        'campaignTriggered',
        async () => (await record(server, goal(unique('visitor')), key)).activity.id,
      );

      from.mockClear();
      const recorded = await record(server, goal(unique('visitor')), key);
      for (
        const deadline = Date.now() + 10_000;
        !all.every((sub) => heard(sub, 'campaignTriggered', recorded.activity.id)) && Date.now() < deadline;
      )
        await sleep(25);
      const runs = all.map((sub) =>
        sub.received.map((r) => r.data.campaignTriggered).find((run) => run.activity.id === recorded.activity.id),
      );
      expect(new Set(runs.map((run) => run.id)).size).toBe(1);
      // One execution for the 20, one for the other query, one for the key with other scopes.
      expect(from).toHaveBeenCalledTimes(3);
      for (const sub of all) sub.unsubscribe();
    } finally {
      from.mockRestore();
    }
  });

  it('answers each event with fresh data: nothing loaded for one event is served stale in the next', async () => {
    await activeCampaign(server, { flow: [{ action: 'CHANGE_SCORE', scoreDelta: 5 }] }, key);
    const visitor = unique('visitor');
    const first = await record(server, goal(visitor), key);
    const personId = first.activity.person.id;
    const sub = subscribe(
      server.wsClient(key),
      'subscription($p: ID) { activityRecorded(personId: $p) { id person { score } } }',
      { p: personId },
    );
    await untilAllLive([sub], 'activityRecorded', async () => (await record(server, goal(visitor), key)).activity.id);
    const [{ score }] = await server.app.dataSource.query('SELECT score FROM person WHERE id = ?', [rawOf(personId)]);
    const next = [
      (await record(server, goal(visitor), key)).activity.id,
      (await record(server, goal(visitor), key)).activity.id,
    ];
    for (
      const deadline = Date.now() + 10_000;
      !next.every((id) => heard(sub, 'activityRecorded', id)) && Date.now() < deadline;
    )
      await sleep(25);
    const scores = next.map(
      (id) => sub.received.find((r) => r.data.activityRecorded.id === id)!.data.activityRecorded.person.score,
    );
    expect(scores).toEqual([Number(score) + 5, Number(score) + 10]);
    sub.unsubscribe();
  });

  it('stops a subscription whose key is revoked: the next event answers UNAUTHENTICATED and ends it', async () => {
    const campaignId = await activeCampaign(server, {}, key);
    const created = await server.gql(
      'mutation { createApiKey(name: "listener", scopes: [SUBSCRIBE, READ]) { secret apiKey { id } } }',
      {},
      key,
    );
    const { secret, apiKey } = created.data.createApiKey;
    const sub = subscribe(server.wsClient(secret), CAMPAIGN_TRIGGERED, { campaignId });
    await untilAllLive(
      [sub],
      'campaignTriggered',
      async () => (await record(server, goal(unique('visitor')), key)).activity.id,
    );
    const before = sub.received.length;
    expect(
      (await server.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: apiKey.id }, key)).errors,
    ).toBeUndefined();
    const after = await record(server, goal(unique('visitor')), key);
    const last = (await sub.waitFor(before + 1))[before];
    expect(last.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(last.data).toBeUndefined();
    await record(server, goal(unique('visitor')), key);
    await sleep(300);
    expect(sub.received).toHaveLength(before + 1);
    expect(sub.received.some((r) => r.data?.campaignTriggered?.activity?.id === after.activity.id)).toBe(false);
  });

  it('rejects a malformed after cursor', async () => {
    const campaignId = await activeCampaign(server, {}, key);
    const sub = subscribe(server.wsClient(key), CAMPAIGN_TRIGGERED, { campaignId, after: 'not a cursor' });
    await sub.waitFor(1);
    const errors = sub.received[0]?.errors ?? (sub.error as any[]);
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

const withRedisAndMysql = TEST_REDIS_URL && TEST_MYSQL_URL ? describe : describe.skip;

withRedisAndMysql('campaignTriggered across two server processes on one Redis and one MariaDB', () => {
  // A: this process; B: the real entry point (src/main.ts) in a process of its own.
  let a: TestServer;
  let b: ChildServer;
  let bClient: Client;
  beforeAll(async () => {
    a = await startTestServer({ config: { redisUrl: TEST_REDIS_URL } });
    b = await startChildServer(a.database.config, { REDIS_URL: TEST_REDIS_URL!, BOOTSTRAP_API_KEY: a.adminKey });
    bClient = createClient({
      url: b.url.replace('http://', 'ws://'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${a.adminKey}` },
      retryAttempts: 0,
    });
  });
  afterAll(async () => {
    await bClient?.dispose();
    if (b) {
      b.process.kill('SIGTERM');
      expect(await b.exited).toBe(0);
    }
    await a?.stop();
  });

  /** recordChatActivity through instance B's HTTP endpoint. */
  async function recordOnB(input: Record<string, unknown>) {
    const res = await fetch(b.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${a.adminKey}` },
      body: JSON.stringify({ query: RECORD, variables: { input } }),
    });
    const body = (await res.json()) as any;
    expect(body.errors).toBeUndefined();
    return body.data.recordChatActivity as { activity: { id: string } };
  }

  it('a run recorded through instance A reaches a listener on instance B, runs recorded on B reach it too, and a resume on B replays from the shared database', async () => {
    const campaignId = await activeCampaign(a, { flow: [{ action: 'CHANGE_SCORE', scoreDelta: 1 }] });
    const sub = subscribe(bClient, CAMPAIGN_TRIGGERED, { campaignId, after: FROM_START });
    const visitor = unique('visitor');
    const expected: string[] = [];
    expected.push((await record(a, goal(visitor))).activity.id);
    await sub.waitFor(1, 10_000);
    for (let i = 0; i < 5; i += 1)
      expected.push((i % 2 ? await record(a, goal(visitor)) : await recordOnB(goal(visitor))).activity.id);
    const runs = (await sub.waitFor(6, 10_000)).map((r) => r.data.campaignTriggered);
    expect(runs.map((r: any) => r.activity.id)).toEqual(expected);
    expect(runs.map((r: any) => r.person.score)).toEqual([1, 2, 3, 4, 5, 6]);

    // And the other way round: a listener on A hears a run recorded on B.
    const onA = subscribe(a.wsClient(), CAMPAIGN_TRIGGERED, { campaignId });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const fromB = await recordOnB(goal(visitor));
    expect((await onA.waitFor(1, 10_000))[0].data.campaignTriggered.activity.id).toBe(fromB.activity.id);
    expected.push(fromB.activity.id);

    const resumed = subscribe(bClient, CAMPAIGN_TRIGGERED, { campaignId, after: runs[2].cursor });
    const replay = (await resumed.waitFor(4, 10_000)).map((r) => r.data.campaignTriggered.activity.id);
    expect(replay).toEqual(expected.slice(3));
    const live = await record(a, goal(visitor));
    expect((await resumed.waitFor(5, 10_000))[4].data.campaignTriggered.activity.id).toBe(live.activity.id);
    expect(resumed.received).toHaveLength(5);
    sub.unsubscribe();
    onA.unsubscribe();
    resumed.unsubscribe();
  });
});
