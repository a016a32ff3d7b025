import { RECORD, RECORD_MANY } from './helpers/record';
import { startTestServer, type TestServer } from './helpers/server';

const chat = { kind: 'DIALOGUE', id: 'chat-1', name: 'Pricing dialogue' };
let seq = 0;
const base = (overrides: Record<string, unknown> = {}): Record<string, any> => ({
  type: 'TRIGGERED',
  visitorId: `visitor-${++seq}`,
  sessionId: `session-${seq}`,
  chat,
  ...overrides,
});

describe('recording chat activities', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const count = async (where = '1 = 1', params: unknown[] = []) =>
    Number((await server.app.dataSource.query(`SELECT COUNT(*) AS n FROM activity WHERE ${where}`, params))[0].n);

  it('records each of the six types with all their fields', async () => {
    const occurredAt = new Date(Date.now() - 60_000).toISOString();
    const meetingAt = new Date(Date.now() + 86_400_000).toISOString();
    const cases: Array<[Record<string, unknown>, (a: any) => void]> = [
      [{ type: 'TRIGGERED' }, (a) => expect(a.type).toBe('TRIGGERED')],
      [{ type: 'ENGAGED', prompt: 'BOOK_MEETING' }, (a) => expect(a.prompt).toBe('BOOK_MEETING')],
      [
        { type: 'ENGAGED_WITH_AGENT', agent: { id: 'agent-7', name: 'Grace' } },
        (a) => expect(a.agent).toEqual({ id: 'agent-7', name: 'Grace' }),
      ],
      [
        {
          type: 'INTERACTED_WITH_DOCUMENT',
          document: { id: 'doc-1', name: 'Whitepaper', url: 'https://example.com/wp.pdf' },
        },
        (a) => expect(a.document).toEqual({ id: 'doc-1', name: 'Whitepaper', url: 'https://example.com/wp.pdf' }),
      ],
      [{ type: 'GOAL_ACHIEVED', goal: 'demo-requested' }, (a) => expect(a.goal).toBe('demo-requested')],
      [
        {
          type: 'MEETING_SCHEDULED',
          meeting: { startsAt: meetingAt, durationMinutes: 30, agent: { id: 'agent-7', name: 'Grace' } },
        },
        (a) =>
          expect(a.meeting).toEqual({
            startsAt: meetingAt,
            durationMinutes: 30,
            status: 'SCHEDULED',
            agent: { id: 'agent-7', name: 'Grace' },
          }),
      ],
    ];
    for (const [fields, check] of cases) {
      const input = base({
        ...fields,
        occurredAt,
        pageUrl: 'https://example.com/pricing',
        clientEventId: `evt-${seq}`,
      });
      const res = await server.gql(RECORD, { input });
      expect(res.errors).toBeUndefined();
      const { outcome, activity } = res.data.recordChatActivity;
      expect(outcome).toBe('RECORDED');
      expect(activity).toMatchObject({
        type: fields.type,
        occurredAt,
        visitorId: input.visitorId,
        sessionId: input.sessionId,
        pageUrl: 'https://example.com/pricing',
        clientEventId: input.clientEventId,
        chat,
        person: { email: null, known: false },
      });
      expect(new Date(activity.recordedAt).getTime()).toBeGreaterThanOrEqual(new Date(occurredAt).getTime());
      check(activity);
    }
  });

  it('defaults occurredAt to the time of receipt', async () => {
    const before = Date.now();
    const res = await server.gql(RECORD, { input: base({ type: 'GOAL_ACHIEVED', goal: 'g' }) });
    const at = new Date(res.data.recordChatActivity.activity.occurredAt).getTime();
    expect(at).toBeGreaterThanOrEqual(before - 5);
    expect(at).toBeLessThanOrEqual(Date.now() + 5);
  });

  it('stores a once-per-session activity once and answers repeats with the stored one', async () => {
    const input = base({ type: 'ENGAGED' });
    const first = await server.gql(RECORD, { input });
    const again = await server.gql(RECORD, { input: { ...input, prompt: 'FREE_TEXT' } });
    expect(first.data.recordChatActivity.outcome).toBe('RECORDED');
    expect(again.data.recordChatActivity).toMatchObject({
      outcome: 'ALREADY_LOGGED_IN_SESSION',
      activity: { id: first.data.recordChatActivity.activity.id },
    });
    // Another session, chat or type is another activity; repeatable types are stored every time.
    for (const other of [{ sessionId: 'other-session' }, { chat: { ...chat, id: 'chat-2' } }, { type: 'TRIGGERED' }]) {
      expect((await server.gql(RECORD, { input: { ...input, ...other } })).data.recordChatActivity.outcome).toBe(
        'RECORDED',
      );
    }
    const goal = base({ type: 'GOAL_ACHIEVED', goal: 'x' });
    expect((await server.gql(RECORD, { input: goal })).data.recordChatActivity.outcome).toBe('RECORDED');
    expect((await server.gql(RECORD, { input: goal })).data.recordChatActivity.outcome).toBe('RECORDED');
  });

  it('races 20 identical once-per-session calls into exactly one row, every caller getting its id', async () => {
    const input = base({ type: 'ENGAGED_WITH_AGENT', agent: { id: 'a', name: 'A' } });
    const results = await Promise.all(Array.from({ length: 20 }, () => server.gql(RECORD, { input })));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    const ids = new Set(results.map((r) => r.data.recordChatActivity.activity.id));
    expect(ids.size).toBe(1);
    const outcomes = results.map((r) => r.data.recordChatActivity.outcome).sort();
    expect(outcomes.filter((o) => o === 'RECORDED')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'ALREADY_LOGGED_IN_SESSION')).toHaveLength(19);
    expect(await count('visitor_id = ?', [input.visitorId])).toBe(1);
    expect(
      Number(
        (
          await server.app.dataSource.query('SELECT COUNT(*) AS n FROM visitor WHERE visitor_id = ?', [input.visitorId])
        )[0].n,
      ),
    ).toBe(1);
  });

  it('answers concurrent single calls each on its own, a bad one not affecting the others', async () => {
    const inputs = Array.from({ length: 10 }, (_, i) => base({ type: 'GOAL_ACHIEVED', goal: i === 4 ? '' : `g${i}` }));
    const results = await Promise.all(inputs.map((input) => server.gql(RECORD, { input })));
    results.forEach((res, i) => {
      if (i === 4) {
        expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'goal'] });
      } else {
        expect(res.errors).toBeUndefined();
        expect(res.data.recordChatActivity).toMatchObject({
          outcome: 'RECORDED',
          activity: { goal: `g${i}`, visitorId: inputs[i].visitorId },
        });
      }
    });
    expect(new Set(results.filter((r) => r.data).map((r) => r.data.recordChatActivity.activity.id)).size).toBe(9);
  });

  it('races 20 calls with one clientEventId into one row', async () => {
    const input = base({ type: 'GOAL_ACHIEVED', goal: 'signup', clientEventId: `race-${seq}` });
    const results = await Promise.all(Array.from({ length: 20 }, () => server.gql(RECORD, { input })));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(new Set(results.map((r) => r.data.recordChatActivity.activity.id)).size).toBe(1);
    expect(results.filter((r) => r.data.recordChatActivity.outcome === 'RECORDED')).toHaveLength(1);
    expect(results.filter((r) => r.data.recordChatActivity.outcome === 'DUPLICATE_REQUEST')).toHaveLength(19);
    expect(await count('client_event_id = ?', [input.clientEventId])).toBe(1);
  });

  it('answers a retry with the first result and a reused key with other content as CONFLICT', async () => {
    const input = base({ type: 'GOAL_ACHIEVED', goal: 'trial', clientEventId: `retry-${seq}` });
    const first = await server.gql(RECORD, { input });
    // Same content in another key order is the same request.
    const reordered = Object.fromEntries(Object.entries(input).reverse());
    const retry = await server.gql(RECORD, { input: reordered });
    expect(retry.data.recordChatActivity).toEqual({ ...first.data.recordChatActivity, outcome: 'DUPLICATE_REQUEST' });
    const before = await count();
    const conflict = await server.gql(RECORD, { input: { ...input, goal: 'other' } });
    expect(conflict.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: ['input', 'clientEventId'] });
    expect(conflict.data).toBeNull();
    expect(await count()).toBe(before);
  });

  it('judges each input of a batch alone, in input order', async () => {
    const shared = base({ type: 'TRIGGERED' });
    const inputs = [
      base({ type: 'GOAL_ACHIEVED', goal: 'one' }),
      base({ type: 'GOAL_ACHIEVED' }), // goal missing
      shared,
      { ...shared }, // collides with the previous: the first is stored
      base({ type: 'TRIGGERED', chat: { ...chat, id: 'x'.repeat(129) } }),
      base({ type: 'INTERACTED_WITH_DOCUMENT', document: { id: 'd', name: 'D' } }),
    ];
    const before = await count();
    const res = await server.gql(RECORD_MANY, { inputs });
    expect(res.errors).toBeUndefined();
    const results = res.data.recordChatActivities;
    expect(results.map((r: any) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results[0].payload.outcome).toBe('RECORDED');
    expect(results[1]).toMatchObject({
      payload: null,
      error: { code: 'BAD_USER_INPUT', field: ['inputs', '1', 'goal'] },
    });
    expect(results[2].payload.outcome).toBe('RECORDED');
    expect(results[3].payload).toEqual({ outcome: 'ALREADY_LOGGED_IN_SESSION', activity: results[2].payload.activity });
    expect(results[4]).toMatchObject({
      payload: null,
      error: { code: 'BAD_USER_INPUT', field: ['inputs', '4', 'chat', 'id'] },
    });
    expect(results[5].payload.outcome).toBe('RECORDED');
    expect(await count()).toBe(before + 3);
  });

  it('rejects an empty batch and one over 500', async () => {
    for (const inputs of [[], Array.from({ length: 501 }, () => base({ type: 'GOAL_ACHIEVED', goal: 'g' }))]) {
      const res = await server.gql(RECORD_MANY, { inputs });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['inputs'] });
    }
  });

  const long = (n: number) => 'x'.repeat(n);
  const minutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
  const badInputs: Array<[string, Record<string, unknown>, string[]]> = [
    ['an empty visitorId', { visitorId: '' }, ['visitorId']],
    ['a blank sessionId', { sessionId: '   ' }, ['sessionId']],
    ['a visitorId over 128', { visitorId: long(129) }, ['visitorId']],
    ['a sessionId over 128', { sessionId: long(129) }, ['sessionId']],
    ['a chat name over 255', { chat: { ...chat, name: long(256) } }, ['chat', 'name']],
    ['an empty chat id', { chat: { ...chat, id: '' } }, ['chat', 'id']],
    ['a pageUrl over 2048', { pageUrl: long(2049) }, ['pageUrl']],
    ['a clientEventId over 128', { clientEventId: long(129) }, ['clientEventId']],
    ['a prompt on TRIGGERED', { prompt: 'FREE_TEXT' }, ['prompt']],
    ['an agent on TRIGGERED', { agent: { id: 'a', name: 'A' } }, ['agent']],
    ['a goal on TRIGGERED', { goal: 'g' }, ['goal']],
    ['a document on TRIGGERED', { document: { id: 'd', name: 'D' } }, ['document']],
    ['a meeting on TRIGGERED', { meeting: { startsAt: minutes(60), agent: { id: 'a', name: 'A' } } }, ['meeting']],
    ['no agent on ENGAGED_WITH_AGENT', { type: 'ENGAGED_WITH_AGENT' }, ['agent']],
    ['no document on INTERACTED_WITH_DOCUMENT', { type: 'INTERACTED_WITH_DOCUMENT' }, ['document']],
    ['no meeting on MEETING_SCHEDULED', { type: 'MEETING_SCHEDULED' }, ['meeting']],
    ['an empty goal', { type: 'GOAL_ACHIEVED', goal: '' }, ['goal']],
    ['an agent name over 255', { type: 'ENGAGED_WITH_AGENT', agent: { id: 'a', name: long(256) } }, ['agent', 'name']],
    [
      'a document url over 2048',
      { type: 'INTERACTED_WITH_DOCUMENT', document: { id: 'd', name: 'D', url: long(2049) } },
      ['document', 'url'],
    ],
    [
      'a meeting of 0 minutes',
      {
        type: 'MEETING_SCHEDULED',
        meeting: { startsAt: minutes(60), durationMinutes: 0, agent: { id: 'a', name: 'A' } },
      },
      ['meeting', 'durationMinutes'],
    ],
    [
      'a meeting agent without id',
      { type: 'MEETING_SCHEDULED', meeting: { startsAt: minutes(60), agent: { id: '', name: 'A' } } },
      ['meeting', 'agent', 'id'],
    ],
    ['occurredAt 6 minutes ahead', { occurredAt: minutes(6) }, ['occurredAt']],
    ['occurredAt 31 days ago', { occurredAt: minutes(-31 * 24 * 60) }, ['occurredAt']],
    ['an invalid email', { person: { email: 'not-an-email' } }, ['person', 'email']],
    ['a person name over 255', { person: { email: 'a@example.com', firstName: long(256) } }, ['person', 'firstName']],
  ];

  it.each(badInputs)(
    'rejects %s with BAD_USER_INPUT on the field, storing nothing',
    async (_label, overrides, field) => {
      const before = await count();
      const people = Number((await server.app.dataSource.query('SELECT COUNT(*) AS n FROM person'))[0].n);
      const res = await server.gql(RECORD, { input: base(overrides) });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', ...field] });
      expect(res.data).toBeNull();
      expect(await count()).toBe(before);
      expect(Number((await server.app.dataSource.query('SELECT COUNT(*) AS n FROM person'))[0].n)).toBe(people);
      // The same input inside a batch is answered with its path under inputs.
      const batch = await server.gql(RECORD_MANY, { inputs: [base(overrides)] });
      expect(batch.data.recordChatActivities[0].error).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: ['inputs', '0', ...field],
      });
    },
  );

  it.each([
    ['an unknown type', { type: 'CLICKED' }],
    ['an unknown chat kind', { chat: { ...chat, kind: 'POPUP' } }],
    ['a wrong scalar', { occurredAt: 'yesterday' }],
  ])('rejects %s as BAD_USER_INPUT before anything runs', async (_label, overrides) => {
    const before = await count();
    const res = await server.gql(RECORD, { input: base(overrides) });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await count()).toBe(before);
  });

  it('keeps workspaces apart: the same visitor and clientEventId are independent', async () => {
    const other = await server.createWorkspace();
    const input = base({ type: 'GOAL_ACHIEVED', goal: 'g', clientEventId: 'shared-key' });
    const mine = await server.gql(RECORD, { input });
    const theirs = await server.gql(RECORD, { input }, other.adminKey);
    expect(mine.data.recordChatActivity.outcome).toBe('RECORDED');
    expect(theirs.data.recordChatActivity.outcome).toBe('RECORDED');
    expect(theirs.data.recordChatActivity.activity.person.id).not.toBe(mine.data.recordChatActivity.activity.person.id);
    const read = await server.gql('query($id: ID!) { activity(id: $id) { id } }', {
      id: theirs.data.recordChatActivity.activity.id,
    });
    expect(read.data.activity).toBeNull();
  });

  it('needs the RECORD scope', async () => {
    const readOnly = await server.createKey(server.workspaceId, ['READ', 'MANAGE', 'SUBSCRIBE']);
    const res = await server.gql(RECORD, { input: base() }, readOnly);
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
