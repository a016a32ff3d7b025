import { record, recordMany as recordBatch } from './helpers/record';
import { rawId } from './helpers/ids';
import { startTestServer, type TestServer } from './helpers/server';

const TIMELINE = `query($id: ID!, $first: Int, $after: String, $filter: ActivityFilter) {
  person(id: $id) {
    activities(first: $first, after: $after, filter: $filter) {
      edges { cursor node { id type occurredAt chat { id: widgetId } person { id }
        ... on ChatEngagedActivity { prompt }
        ... on AgentEngagedActivity { agent { id: widgetId name } }
        ... on DocumentInteractedActivity { document { id: widgetId name url } }
        ... on GoalAchievedActivity { goal }
        ... on MeetingScheduledActivity { meeting { startsAt durationMinutes status agent { id: widgetId name } } } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}`;

// Every field of every implementation; \`person\` is asked on each concrete type too, so the interface's field resolver must serve all six.
const ALL_FIELDS = `fragment All on Activity {
  __typename id type occurredAt visitorId sessionId pageUrl clientEventId chat { kind id: widgetId name } person { id }
  ... on ChatTriggeredActivity { triggeredPerson: person { id } }
  ... on ChatEngagedActivity { prompt engagedPerson: person { id } }
  ... on AgentEngagedActivity { agent { id: widgetId name } agentPerson: person { id } }
  ... on DocumentInteractedActivity { document { id: widgetId name url } documentPerson: person { id } }
  ... on GoalAchievedActivity { goal goalPerson: person { id } }
  ... on MeetingScheduledActivity { meeting { startsAt durationMinutes status agent { id: widgetId name } } meetingPerson: person { id } }
}`;

const noopLogger = {
  logQuery() {},
  logQueryError() {},
  logQuerySlow() {},
  logSchemaBuild() {},
  logMigration() {},
  log() {},
};

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
  const recordMany = async (inputs: Array<Record<string, unknown>>) => {
    const results = await recordBatch(server, inputs);
    expect(results.every((r: { error: unknown }) => r.error === null)).toBe(true);
    return results.map((r) => r.payload!.activity);
  };

  it('records each of the six types through recordChatActivity and reads every field back through the timeline and activity(id)', async () => {
    const visitor = 'six-types';
    const meetingAt = new Date(Date.now() + 86_400_000).toISOString();
    const inputs = [
      { type: 'TRIGGERED', occurredAt: minutesAgo(60), pageUrl: 'https://example.com/pricing' },
      { type: 'ENGAGED', prompt: 'SUBMIT_INFO', occurredAt: minutesAgo(50), clientEventId: 'six-engaged' },
      { type: 'ENGAGED_WITH_AGENT', agent: { id: 'ag-1', name: 'Grace' }, occurredAt: minutesAgo(40) },
      {
        type: 'INTERACTED_WITH_DOCUMENT',
        document: { id: 'doc-1', name: 'Guide', url: null },
        occurredAt: minutesAgo(30),
      },
      { type: 'GOAL_ACHIEVED', goal: 'demo', occurredAt: minutesAgo(20) },
      {
        type: 'MEETING_SCHEDULED',
        meeting: {
          startsAt: meetingAt,
          durationMinutes: 30,
          agent: { id: 'ag-1', name: 'Grace' },
          status: 'RESCHEDULED',
        },
        occurredAt: minutesAgo(10),
      },
    ].map((extra, i) => ({ ...input(visitor, i), goal: undefined, ...extra }));
    const recorded: Array<{ id: string; occurredAt: string }> = [];
    for (const one of inputs) {
      const { outcome, activity } = await record(server, one);
      expect(outcome).toBe('RECORDED');
      recorded.push(activity);
    }
    personId = (await server.gql('query($v: String!) { personByVisitor(visitorId: $v) { id } }', { v: visitor })).data
      .personByVisitor.id;

    const res = await server.gql(
      `query($id: ID!) { person(id: $id) { activities(first: 10) { edges { node { ...All } } } } } ${ALL_FIELDS}`,
      { id: personId },
    );
    expect(res.errors).toBeUndefined();
    const nodes = res.data.person.activities.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.id)).toEqual(recorded.map((a) => a.id).reverse());
    const common = (i: number) => ({
      id: recorded[i].id,
      occurredAt: inputs[i].occurredAt,
      visitorId: visitor,
      sessionId: 'session-0',
      chat: { kind: 'DIALOGUE', id: `chat-${i % 3}`, name: 'Chat' },
      pageUrl: (inputs[i] as { pageUrl?: string }).pageUrl ?? null,
      clientEventId: (inputs[i] as { clientEventId?: string }).clientEventId ?? null,
      person: { id: personId },
    });
    expect(nodes.reverse()).toEqual([
      { __typename: 'ChatTriggeredActivity', type: 'TRIGGERED', ...common(0), triggeredPerson: { id: personId } },
      {
        __typename: 'ChatEngagedActivity',
        type: 'ENGAGED',
        ...common(1),
        prompt: 'SUBMIT_INFO',
        engagedPerson: { id: personId },
      },
      {
        __typename: 'AgentEngagedActivity',
        type: 'ENGAGED_WITH_AGENT',
        ...common(2),
        agent: { id: 'ag-1', name: 'Grace' },
        agentPerson: { id: personId },
      },
      {
        __typename: 'DocumentInteractedActivity',
        type: 'INTERACTED_WITH_DOCUMENT',
        ...common(3),
        document: { id: 'doc-1', name: 'Guide', url: null },
        documentPerson: { id: personId },
      },
      {
        __typename: 'GoalAchievedActivity',
        type: 'GOAL_ACHIEVED',
        ...common(4),
        goal: 'demo',
        goalPerson: { id: personId },
      },
      {
        __typename: 'MeetingScheduledActivity',
        type: 'MEETING_SCHEDULED',
        ...common(5),
        meeting: {
          startsAt: meetingAt,
          durationMinutes: 30,
          status: 'RESCHEDULED',
          agent: { id: 'ag-1', name: 'Grace' },
        },
        meetingPerson: { id: personId },
      },
    ]);

    for (const node of nodes) {
      const single = await server.gql(`query($id: ID!) { activity(id: $id) { ...All } } ${ALL_FIELDS}`, {
        id: node.id,
      });
      expect(single.errors).toBeUndefined();
      expect(single.data.activity).toEqual(node);
    }
  });

  it('answers null for the ids of another workspace and needs READ', async () => {
    const other = await server.createWorkspace();
    const activityId = (await server.gql(TIMELINE, { id: personId, first: 1 })).data.person.activities.edges[0].node.id;
    const res = await server.gql(
      'query($p: ID!, $a: ID!) { person(id: $p) { id } activity(id: $a) { id } }',
      { p: personId, a: activityId },
      other.adminKey,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ person: null, activity: null });
    const recordOnly = await server.createKey(server.workspaceId, ['RECORD']);
    const forbidden = await server.gql('query($a: ID!) { activity(id: $a) { id } }', { a: activityId }, recordOnly);
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('walks 250 activities with first=7, each exactly once and in order, while newer ones arrive', async () => {
    const visitor = 'walker';
    const base = Date.now() - 20 * 60 * 60_000;
    const inputs = Array.from({ length: 250 }, (_, i) =>
      input(visitor, i, { occurredAt: new Date(base + Math.floor(i / 3) * 1_000).toISOString() }),
    );
    // Several activities share an occurredAt: the id breaks the tie.
    for (let i = 0; i < inputs.length; i += 100) await recordMany(inputs.slice(i, i + 100));
    const id = (await server.gql('query($v: String!) { personByVisitor(visitorId: $v) { id } }', { v: visitor })).data
      .personByVisitor.id;

    const seen: Array<{ id: string; occurredAt: string }> = [];
    let after: string | null = null;
    let pages = 0;
    let inserting = 0;
    const arriving: Array<Promise<unknown>> = [];
    for (;;) {
      const res: any = await server.gql(TIMELINE, { id, first: 7, after });
      expect(res.errors).toBeUndefined();
      const connection = res.data.person.activities;
      seen.push(...connection.edges.map((e: any) => e.node));
      pages += 1;
      // Newer activities land while the walk goes on (not awaited: they race the next pages); they sort
      // before the walk's position and must not disturb it.
      if (pages % 5 === 0 && inserting < 5) {
        inserting += 1;
        arriving.push(recordMany([input(visitor, 1_000 + inserting)]));
      }
      if (!connection.pageInfo.hasNextPage) break;
      expect(connection.pageInfo.endCursor).toBe(connection.edges[connection.edges.length - 1].cursor);
      after = connection.pageInfo.endCursor;
    }
    await Promise.all(arriving);
    expect(arriving).toHaveLength(5);
    const walkedIds = seen.map((a) => a.id);
    expect(new Set(walkedIds).size).toBe(walkedIds.length);
    // The walk began at the newest activity, so the ones that arrived later are all ahead of it: exactly the 250.
    expect(seen).toHaveLength(250);
    expect(seen.every((a) => new Date(a.occurredAt).getTime() < base + 100 * 1_000)).toBe(true);
    for (let i = 1; i < seen.length; i += 1) {
      const [prev, cur] = [seen[i - 1], seen[i]];
      const order =
        new Date(prev.occurredAt).getTime() - new Date(cur.occurredAt).getTime() ||
        (rawId(prev.id) > rawId(cur.id) ? 1 : -1);
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
    const id = (await server.gql('query($v: String!) { personByVisitor(visitorId: $v) { id } }', { v: visitor })).data
      .personByVisitor.id;
    const ids = async (filter: unknown) =>
      (await server.gql(TIMELINE, { id, filter })).data.person.activities.edges.map((e: any) => e.node.id);
    expect(await ids({ types: ['TRIGGERED'] })).toEqual([recorded[2].id]);
    expect(await ids({ chatIds: ['chat-0', 'chat-1'] })).toEqual([recorded[1].id, recorded[0].id]);
    expect(await ids({ since: recorded[1].occurredAt })).toEqual([recorded[2].id, recorded[1].id]);
    expect(await ids({ until: recorded[1].occurredAt })).toEqual([recorded[0].id]);
    expect(
      await ids({ types: ['GOAL_ACHIEVED'], since: recorded[0].occurredAt, until: recorded[2].occurredAt }),
    ).toEqual([recorded[1].id, recorded[0].id]);
  });

  it('rejects a bad cursor, page sizes outside 1..100 and oversized filter lists with BAD_USER_INPUT', async () => {
    for (const [variables, field] of [
      [{ after: 'not-a-cursor' }, ['after']],
      [{ after: Buffer.from('["x"]').toString('base64url') }, ['after']],
      [{ first: 101 }, ['first']],
      [{ first: 0 }, ['first']],
      [{ filter: { chatIds: Array.from({ length: 101 }, (_, i) => `c${i}`) } }, ['filter', 'chatIds']],
      [{ filter: { types: Array(7).fill('TRIGGERED') } }, ['filter', 'types']],
    ] as const) {
      const res = await server.gql(TIMELINE, { id: personId, ...variables });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('batches lookups per request: a page of 20 with nested people and visitor ids costs one query each', async () => {
    const visitors = Array.from({ length: 20 }, (_, i) => `dl-visitor-${i}`);
    await recordMany(visitors.map((v, i) => input(v, i)));
    await recordMany(Array.from({ length: 20 }, (_, i) => input('dl-visitor-0', 100 + i)));
    const owner = (
      await server.gql('query($v: String!) { personByVisitor(visitorId: $v) { id } }', { v: 'dl-visitor-0' })
    ).data.personByVisitor.id;
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
    if (process.env.DEBUG_SQL) console.log(statements.join('\n'));
    const from = (table: string) =>
      statements.filter((sql) => new RegExp(`FROM [\`"]?${table}[\`"]?`, 'i').test(sql)).length;
    // person(id) + people page + its count, and one batch for the 20 activities' person (not 20).
    expect(from('person')).toBe(4);
    // The visitor ids of the activities' person and of the 20 listed people: batched per tick, far below 21.
    expect(from('visitor')).toBeLessThanOrEqual(2);
    expect(from('activity')).toBe(1);
  });
  it('reads the person, a page and its chats in one query, answering as the fields read one by one would', async () => {
    await recordMany(Array.from({ length: 6 }, (_, i) => input('rt-visitor', 200 + i)));
    const owner = (
      await server.gql('query($v: String!) { personByVisitor(visitorId: $v) { id } }', { v: 'rt-visitor' })
    ).data.personByVisitor.id;
    // With @include the person field cannot know ahead whether the page is read: each field reads on its own.
    const page = (directive: string) => `query($id: ID!, $yes: Boolean!) {
      person(id: $id) { id email @include(if: $yes) activities(first: 4) ${directive} {
        edges { cursor node { id type occurredAt chat { id name kind widgetId } ... on GoalAchievedActivity { goal } } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
    }`;
    const ds = server.app.dataSource;
    const statements: string[] = [];
    const originalLogger = ds.logger;
    (ds as any).logger = { ...noopLogger, logQuery: (sql: string) => statements.push(sql) };
    let together: any;
    let apart: any;
    try {
      together = await server.gql(page(''), { id: owner, yes: true });
      const reads = (sql: string) =>
        /\b(person|activity|catalog_entry)\b/i.test(sql) && /^\s*(SET STATEMENT .* FOR )?SELECT/i.test(sql);
      expect(statements.filter(reads)).toHaveLength(1);
      statements.length = 0;
      apart = await server.gql(page('@include(if: $yes)'), { id: owner, yes: true });
      expect(statements.filter(reads).length).toBeGreaterThan(1);
    } finally {
      (ds as any).logger = originalLogger;
    }
    expect(together.errors).toBeUndefined();
    expect(together.data.person.activities.edges).toHaveLength(4);
    expect(together.data.person.activities.edges[0].node.chat.name).toBe('Chat');
    expect(apart.errors).toBeUndefined();
    expect(together.data).toEqual(apart.data);
  });
});
