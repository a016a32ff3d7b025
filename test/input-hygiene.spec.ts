import { RECORD, RECORD_MANY } from './helpers/record';
import { NO_RATE_LIMITS, startTestServer, type TestServer } from './helpers/server';

const LONE = '\ud800';
const chat = { kind: 'DIALOGUE', id: 'hygiene-chat', name: 'Hygiene' };
const base = { type: 'GOAL_ACHIEVED', goal: 'g', visitorId: 'v-fair', sessionId: 's', chat };
const agent = { id: 'ag', name: 'Sam' };
const startsAt = () => new Date(Date.now() + 86_400_000).toISOString();

/** An input of the type that carries `path`, with a lone surrogate written into that field. */
function withLone(path: string[]): Record<string, unknown> {
  const byField: Record<string, Record<string, unknown>> = {
    agent: { ...base, type: 'ENGAGED_WITH_AGENT', goal: undefined, agent },
    document: {
      ...base,
      type: 'INTERACTED_WITH_DOCUMENT',
      goal: undefined,
      document: { id: 'doc', name: 'Doc', url: 'https://example.com/doc' },
    },
    meeting: {
      ...base,
      type: 'MEETING_SCHEDULED',
      goal: undefined,
      meeting: { startsAt: startsAt(), agent },
    },
    person: { ...base, person: { email: 'ada@example.com', firstName: 'Ada', lastName: 'L', company: 'X' } },
  };
  const input = structuredClone(byField[path[0]] ?? base) as Record<string, any>;
  let at = input;
  for (const key of path.slice(0, -1)) at = at[key] ??= {};
  const leaf = path[path.length - 1];
  at[leaf] =
    leaf === 'email' ? `ada${LONE}@example.com` : /url$|Url$/.test(leaf) ? `https://example.com/${LONE}` : `x${LONE}`;
  return input;
}

const STRING_FIELDS = [
  ['clientEventId'],
  ['visitorId'],
  ['sessionId'],
  ['chat', 'id'],
  ['chat', 'name'],
  ['pageUrl'],
  ['goal'],
  ['agent', 'id'],
  ['agent', 'name'],
  ['document', 'id'],
  ['document', 'name'],
  ['document', 'url'],
  ['meeting', 'agent', 'id'],
  ['meeting', 'agent', 'name'],
  ['person', 'email'],
  ['person', 'firstName'],
  ['person', 'lastName'],
  ['person', 'company'],
];

describe('strings are well-formed at the door', () => {
  let server: TestServer;
  const counts = async () => {
    const [row] = await server.app.dataSource.query(
      'SELECT (SELECT COUNT(*) FROM activity) AS activities, (SELECT COUNT(*) FROM person) AS people, (SELECT COUNT(*) FROM visitor) AS visitors',
    );
    return { activities: Number(row.activities), people: Number(row.people), visitors: Number(row.visitors) };
  };
  beforeAll(async () => {
    server = await startTestServer({
      config: { rateLimits: { ...NO_RATE_LIMITS, subscriptionsPerConnection: 100 } },
    });
  });
  afterAll(() => server.stop());

  it.each(STRING_FIELDS.map((path) => [path.join('.'), path] as const))(
    'refuses a lone surrogate in %s with MALFORMED_TEXT, storing nothing',
    async (_name, path) => {
      const before = await counts();
      const res = await server.gql(RECORD, { input: withLone([...path]) });
      expect(res.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'MALFORMED_TEXT',
        field: ['input', ...path],
      });
      expect(res.errors?.[0].message).not.toContain(LONE);
      const batch = await server.gql(RECORD_MANY, {
        inputs: [{ ...base, visitorId: 'v-before' }, withLone([...path])],
      });
      expect(batch.data.recordChatActivities[1].error).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: ['inputs', '1', ...path],
      });
      expect(batch.data.recordChatActivities[0].payload.outcome).toBe('RECORDED');
      const after = await counts();
      expect(after.activities).toBe(before.activities + 1);
    },
  );

  it('records 20 concurrent fair calls coalesced beside a malformed one, and a clientEventId retry stays idempotent', async () => {
    const fair = Array.from({ length: 20 }, (_, i) => ({
      ...base,
      visitorId: `v-crowd-${i}`,
      clientEventId: `crowd-${i}`,
    }));
    const bad = { ...base, visitorId: `evil${LONE}`, clientEventId: `evil-${LONE}` };
    const answers = await Promise.all(
      [...fair, bad, ...fair.slice(0, 3)].map((input) => server.gql(RECORD, { input })),
    );
    const outcomes = answers.slice(0, 20).map((a) => a.data?.recordChatActivity?.outcome);
    // The three repeats ran alongside: each fair key is stored once, whichever call came first.
    const repeats = answers.slice(21).map((a) => a.data?.recordChatActivity?.outcome);
    expect([...outcomes, ...repeats].filter((o) => o === 'RECORDED')).toHaveLength(20);
    expect([...outcomes, ...repeats].every((o) => o === 'RECORDED' || o === 'DUPLICATE_REQUEST')).toBe(true);
    expect(answers[20].errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_TEXT' });

    // Retries: the fair key answers the first activity again; the malformed one the same refusal, never a 500.
    const first = answers[0].data.recordChatActivity.activity.id;
    const retry = await server.gql(RECORD, { input: fair[0] });
    expect(retry.data.recordChatActivity).toMatchObject({ outcome: 'DUPLICATE_REQUEST', activity: { id: first } });
    for (let i = 0; i < 2; i += 1) {
      const again = await server.gql(RECORD, { input: bad });
      expect(again.status).toBe(200);
      expect(again.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'MALFORMED_TEXT',
        field: ['input', 'clientEventId'],
      });
    }
  });

  it('refuses malformed text in every other argument too: identifyVisitor, definitions, queries, and over WebSocket', async () => {
    const identify = await server.gql(
      'mutation($input: IdentifyVisitorInput!) { identifyVisitor(input: $input) { id } }',
      { input: { visitorId: 'v-id', email: 'ada@example.com', firstName: `A${LONE}` } },
    );
    expect(identify.errors?.[0].extensions).toMatchObject({ reason: 'MALFORMED_TEXT', field: ['input', 'firstName'] });
    const list = await server.gql('mutation($input: SmartListInput!) { createSmartList(input: $input) { id } }', {
      input: { name: `L${LONE}`, filters: [{ activity: 'GOAL_ACHIEVED' }] },
    });
    expect(list.errors?.[0].extensions).toMatchObject({ reason: 'MALFORMED_TEXT', field: ['input', 'name'] });
    const search = await server.gql('query($s: String) { people(search: $s) { totalCount } }', { s: `${LONE}` });
    expect(search.errors?.[0].extensions).toMatchObject({ reason: 'MALFORMED_TEXT', field: ['search'] });
    const byId = await server.gql('query($id: ID!) { person(id: $id) { id } }', { id: `x${LONE}` });
    expect(byId.errors?.[0].extensions).toMatchObject({ reason: 'MALFORMED_TEXT', field: ['id'] });

    const client = server.wsClient();
    const result = await new Promise<any>((resolve) => {
      let value: any;
      client.subscribe(
        { query: RECORD, variables: { input: { ...base, sessionId: `s${LONE}` } } },
        { next: (v) => (value = v), error: (e) => resolve({ errors: e }), complete: () => resolve(value) },
      );
    });
    expect(result.errors?.[0].extensions).toMatchObject({ reason: 'MALFORMED_TEXT', field: ['input', 'sessionId'] });
  });

  it('refuses NUL and other control characters, allowing tabs and line breaks only in free text', async () => {
    const nul = await server.gql(RECORD, { input: { ...base, chat: { ...chat, name: 'a\u0000b' } } });
    expect(nul.errors?.[0].extensions).toMatchObject({ reason: 'MALFORMED_TEXT', field: ['input', 'chat', 'name'] });
    const tab = await server.gql(RECORD, { input: { ...base, goal: 'a\tb' } });
    expect(tab.errors?.[0].extensions).toMatchObject({ reason: 'MALFORMED_TEXT', field: ['input', 'goal'] });
    const escape = await server.gql(RECORD, { input: { ...base, visitorId: 'v\u001b[31m' } });
    expect(escape.errors?.[0].extensions).toMatchObject({ reason: 'MALFORMED_TEXT', field: ['input', 'visitorId'] });
    const create = (description: string) =>
      server.gql('mutation($input: SmartListInput!) { createSmartList(input: $input) { description } }', {
        input: { name: `Prose ${Math.random()}`, description, filters: [{ activity: 'GOAL_ACHIEVED' }] },
      });
    expect((await create('Two lines,\n\tindented.\r\nDone.')).data.createSmartList.description).toBe(
      'Two lines,\n\tindented.\r\nDone.',
    );
    expect((await create('bell\u0007')).errors?.[0].extensions).toMatchObject({
      reason: 'MALFORMED_TEXT',
      field: ['input', 'description'],
    });
  });

  it.each([
    ['zero-width spaces', '\u200b\u200b'],
    ['a byte-order mark', '\ufeff'],
    ['no-break spaces', '\u00a0\u00a0'],
    ['an ideographic space and a word joiner', '\u3000\u2060'],
  ])('calls an id of only %s blank', async (_what, value) => {
    const res = await server.gql(RECORD, { input: { ...base, visitorId: value } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'visitorId'] });
    expect(res.errors?.[0].message).toBe('input.visitorId: visitorId must not be blank');
    const name = await server.gql(RECORD, { input: { ...base, chat: { ...chat, name: value } } });
    expect(name.errors?.[0].extensions).toMatchObject({ field: ['input', 'chat', 'name'] });
  });

  it('refuses bidirectional overrides in ids and names', async () => {
    const res = await server.gql(RECORD, { input: { ...base, visitorId: 'abc\u202edef' } });
    expect(res.errors?.[0].extensions).toMatchObject({ reason: 'MALFORMED_TEXT', field: ['input', 'visitorId'] });
    const isolate = await server.gql(RECORD, { input: { ...base, chat: { ...chat, name: 'x\u2066y\u2069' } } });
    expect(isolate.errors?.[0].extensions).toMatchObject({
      reason: 'MALFORMED_TEXT',
      field: ['input', 'chat', 'name'],
    });
    // Right-to-left text itself (and its marks) is fine.
    const hebrew = await server.gql(RECORD, { input: { ...base, chat: { ...chat, name: 'שלום\u200f' } } });
    expect(hebrew.errors).toBeUndefined();
  });

  it.each([
    ['pageUrl', { pageUrl: 'javascript:alert(1)' }],
    ['pageUrl', { pageUrl: 'data:text/html,<script>alert(1)</script>' }],
    ['pageUrl', { pageUrl: '/relative/path' }],
    [
      'document.url',
      {
        type: 'INTERACTED_WITH_DOCUMENT',
        goal: undefined,
        document: { id: 'd', name: 'D', url: 'javascript:void(0)' },
      },
    ],
  ])('stores only http(s) URLs: %s %j', async (field, extra) => {
    const res = await server.gql(RECORD, { input: { ...base, ...extra } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', ...field.split('.')] });
  });

  it('keeps meeting times within a year back and five years ahead', async () => {
    const meeting = (at: string) => ({
      ...base,
      type: 'MEETING_SCHEDULED',
      goal: undefined,
      meeting: { startsAt: at, agent },
    });
    for (const at of [
      '1900-01-01T00:00:00.000Z',
      '9999-12-31T00:00:00.000Z',
      new Date(Date.now() - 400 * 86_400_000).toISOString(),
    ]) {
      const res = await server.gql(RECORD, { input: meeting(at) });
      expect(res.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'MEETING_STARTS_AT_OUT_OF_RANGE',
        field: ['input', 'meeting', 'startsAt'],
      });
    }
    const inTwoYears = await server.gql(RECORD, {
      input: meeting(new Date(Date.now() + 730 * 86_400_000).toISOString()),
    });
    expect(inTwoYears.data.recordChatActivity.outcome).toBe('RECORDED');
    const lastMonth = await server.gql(RECORD, {
      input: meeting(new Date(Date.now() - 30 * 86_400_000).toISOString()),
    });
    expect(lastMonth.data.recordChatActivity.outcome).toBe('RECORDED');
  });
});
