import { startTestServer, type TestServer } from './helpers/server';

const RECORD_MANY = `mutation($inputs: [RecordChatActivityInput!]!) { recordChatActivities(inputs: $inputs) { error { message } payload { outcome activity { id occurredAt } } } }`;
const TIMELINE = `query($id: ID!, $first: Int, $after: String, $filter: ActivityFilter) {
  person(id: $id) {
    activities(first: $first, after: $after, filter: $filter) {
      edges { cursor node { id type occurredAt chat { id } person { id }
        ... on ChatEngagedActivity { prompt }
        ... on AgentEngagedActivity { agent { id name } }
        ... on DocumentInteractedActivity { document { id name url } }
        ... on GoalAchievedActivity { goal }
        ... on MeetingScheduledActivity { meeting { startsAt durationMinutes status agent { id name } } } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}`;

const noopLogger = { logQuery() {}, logQueryError() {}, logQuerySlow() {}, logSchemaBuild() {}, logMigration() {}, log() {} };

describe("a person's activity log", () => {
  let server: TestServer;
  let personId: string;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  const input = (visitorId: string, i: number, extra: Record<string, unknown> = {}) => ({
    type: 'GOAL_ACHIEVED',
    goal: `goal-${i}`,
    visitorId,
    sessionId: `session-${Math.floor(i / 10)}`,
    chat: { kind: 'DIALOGUE', id: `chat-${i % 3}`, name: 'Chat' },
    ...extra,
  });
  const recordMany = async (inputs: unknown[]) => {
    const res = await server.gql(RECORD_MANY, { inputs });
    expect(res.errors).toBeUndefined();
    const results = res.data.recordChatActivities;
    expect(results.every((r: { error: unknown }) => r.error === null)).toBe(true);
    return results.map((r: any) => r.payload.activity) as Array<{ id: string; occurredAt: string }>;
  };

  it('reads back each of the six types through the timeline and activity(id), newest first, with all fields', async () => {
    const visitor = 'six-types';
    const meetingAt = new Date(Date.now() + 86_400_000).toISOString();
    const inputs = [
      { type: 'TRIGGERED', occurredAt: minutesAgo(60) },
      { type: 'ENGAGED', prompt: 'SUBMIT_INFO', occurredAt: minutesAgo(50) },
      { type: 'ENGAGED_WITH_AGENT', agent: { id: 'ag-1', name: 'Grace' }, occurredAt: minutesAgo(40) },
      { type: 'INTERACTED_WITH_DOCUMENT', document: { id: 'doc-1', name: 'Guide', url: null }, occurredAt: minutesAgo(30) },
      { type: 'GOAL_ACHIEVED', goal: 'demo', occurredAt: minutesAgo(20) },
      { type: 'MEETING_SCHEDULED', meeting: { startsAt: meetingAt, agent: { id: 'ag-1', name: 'Grace' }, status: 'RESCHEDULED' }, occurredAt: minutesAgo(10) },
    ].map((extra, i) => ({ ...input(visitor, i), goal: undefined, ...extra }));
    const recorded = await recordMany(inputs);
    personId = (await server.gql('query($v: String!) { personByVisitor(visitorId: $v) { id } }', { v: visitor })).data.personByVisitor.id;

    const res = await server.gql(TIMELINE, { id: personId, first: 10 });
    const nodes = res.data.person.activities.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.id)).toEqual(recorded.map((a) => a.id).reverse());
    expect(nodes.map((n: any) => n.type)).toEqual(['MEETING_SCHEDULED', 'GOAL_ACHIEVED', 'INTERACTED_WITH_DOCUMENT', 'ENGAGED_WITH_AGENT', 'ENGAGED', 'TRIGGERED']);
    expect(nodes[0].meeting).toEqual({ startsAt: meetingAt, durationMinutes: null, status: 'RESCHEDULED', agent: { id: 'ag-1', name: 'Grace' } });
    expect(nodes[1].goal).toBe('demo');
    expect(nodes[2].document).toEqual({ id: 'doc-1', name: 'Guide', url: null });
    expect(nodes[3].agent).toEqual({ id: 'ag-1', name: 'Grace' });
    expect(nodes[4].prompt).toBe('SUBMIT_INFO');
    expect(nodes.every((n: any) => n.person.id === personId)).toBe(true);
    expect(res.data.person.activities.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });

    for (const node of nodes) {
      const single = await server.gql(`query($id: ID!) { activity(id: $id) { id type person { id } } }`, { id: node.id });
      expect(single.data.activity).toEqual({ id: node.id, type: node.type, person: { id: personId } });
    }
  });

  it('walks 250 activities with first=7, each exactly once and in order, while newer ones arrive', async () => {
    const visitor = 'walker';
    const base = Date.now() - 20 * 60 * 60_000;
    const inputs = Array.from({ length: 250 }, (_, i) => input(visitor, i, { occurredAt: new Date(base + Math.floor(i / 3) * 1_000).toISOString() }));
    // Several activities share an occurredAt: the id breaks the tie.
    for (let i = 0; i < inputs.length; i += 100) await recordMany(inputs.slice(i, i + 100));
    const id = (await server.gql('query($v: String!) { personByVisitor(visitorId: $v) { id } }', { v: visitor })).data.personByVisitor.id;

    const seen: Array<{ id: string; occurredAt: string }> = [];
    let after: string | null = null;
    let pages = 0;
    let inserting = 0;
    for (;;) {
      const res: any = await server.gql(TIMELINE, { id, first: 7, after });
      expect(res.errors).toBeUndefined();
      const connection = res.data.person.activities;
      seen.push(...connection.edges.map((e: any) => e.node));
      pages += 1;
      // Newer activities land while the walk goes on; they sort before the walk's position and must not disturb it.
      if (pages % 5 === 0 && inserting < 5) {
        inserting += 1;
        await recordMany([input(visitor, 1_000 + inserting)]);
      }
      if (!connection.pageInfo.hasNextPage) break;
      expect(connection.pageInfo.endCursor).toBe(connection.edges[connection.edges.length - 1].cursor);
      after = connection.pageInfo.endCursor;
    }
    const walkedIds = seen.map((a) => a.id);
    expect(new Set(walkedIds).size).toBe(walkedIds.length);
    const original = seen.filter((a) => new Date(a.occurredAt).getTime() < base + 100 * 1_000);
    expect(original).toHaveLength(250);
    for (let i = 1; i < seen.length; i += 1) {
      const [prev, cur] = [seen[i - 1], seen[i]];
      const order = new Date(prev.occurredAt).getTime() - new Date(cur.occurredAt).getTime() || (prev.id > cur.id ? 1 : -1);
      expect(order).toBeGreaterThan(0);
    }
    expect(pages).toBe(Math.ceil(seen.length / 7));
  });

  it('filters by type, chat and time range', async () => {
    const visitor = 'filtered';
    const recorded = await recordMany([
      input(visitor, 0, { occurredAt: minutesAgo(30) }),
      input(visitor, 1, { occurredAt: minutesAgo(20) }),
      { ...input(visitor, 2, { occurredAt: minutesAgo(10) }), type: 'TRIGGERED', goal: undefined },
    ]);
    const id = (await server.gql('query($v: String!) { personByVisitor(visitorId: $v) { id } }', { v: visitor })).data.personByVisitor.id;
    const ids = async (filter: unknown) =>
      (await server.gql(TIMELINE, { id, filter })).data.person.activities.edges.map((e: any) => e.node.id);
    expect(await ids({ types: ['TRIGGERED'] })).toEqual([recorded[2].id]);
    expect(await ids({ chatIds: ['chat-0', 'chat-1'] })).toEqual([recorded[1].id, recorded[0].id]);
    expect(await ids({ since: recorded[1].occurredAt })).toEqual([recorded[2].id, recorded[1].id]);
    expect(await ids({ until: recorded[1].occurredAt })).toEqual([recorded[0].id]);
    expect(await ids({ types: ['GOAL_ACHIEVED'], since: recorded[0].occurredAt, until: recorded[2].occurredAt })).toEqual([recorded[1].id, recorded[0].id]);
  });

  it('rejects a bad cursor and page sizes outside 1..100 with BAD_USER_INPUT', async () => {
    for (const [variables, field] of [
      [{ after: 'not-a-cursor' }, ['after']],
      [{ after: Buffer.from('["x"]').toString('base64url') }, ['after']],
      [{ first: 101 }, ['first']],
      [{ first: 0 }, ['first']],
    ] as const) {
      const res = await server.gql(TIMELINE, { id: personId, ...variables });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('batches lookups per request: a page of 20 with nested people and visitor ids costs one query each', async () => {
    const visitors = Array.from({ length: 20 }, (_, i) => `dl-visitor-${i}`);
    await recordMany(visitors.map((v, i) => input(v, i)));
    await recordMany(Array.from({ length: 20 }, (_, i) => input('dl-visitor-0', 100 + i)));
    const owner = (await server.gql('query($v: String!) { personByVisitor(visitorId: $v) { id } }', { v: 'dl-visitor-0' })).data.personByVisitor.id;
    const query = `query($id: ID!) {
      person(id: $id) { activities(first: 20) { edges { node { person { id visitorIds } } } } }
      people(first: 20, search: "") { edges { node { id visitorIds } } }
    }`;
    const ds = server.app.dataSource;
    const statements: string[] = [];
    const originalLogger = ds.logger;
    // TypeORM hands every statement to its logger: count them there.
    (ds as any).logger = { ...noopLogger, logQuery: (sql: string) => statements.push(sql) };
    try {
      const res = await server.gql(query, { id: owner });
      expect(res.errors).toBeUndefined();
      expect(res.data.person.activities.edges).toHaveLength(20);
      expect(res.data.people.edges).toHaveLength(20);
    } finally {
      (ds as any).logger = originalLogger;
    }
    if (process.env.DEBUG_SQL) console.log(statements.join("\n"));
    const from = (table: string) => statements.filter((sql) => new RegExp(`FROM [\`"]?${table}[\`"]?`, 'i').test(sql)).length;
    // person(id) + people page + its count, and one batch for the 20 activities' person (not 20).
    expect(from('person')).toBe(4);
    // The visitor ids of the activities' person and of the 20 listed people: batched per tick, far below 21.
    expect(from('visitor')).toBeLessThanOrEqual(2);
    expect(from('activity')).toBe(1);
  });
});
