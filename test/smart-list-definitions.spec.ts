import { insertActivities, insertPerson } from './helpers/activity-data';
import { startTestServer, type TestServer } from './helpers/server';

const CREATE = `mutation($input: SmartListInput!) { createSmartList(input: $input) { id name description logic advancedLogic createdAt updatedAt filters { activity } } }`;
const UPDATE = `mutation($id: ID!, $input: SmartListInput!) { updateSmartList(id: $id, input: $input) { id name description updatedAt filters { activity } memberCount } }`;
const DELETE = `mutation($id: ID!) { deleteSmartList(id: $id) }`;
const LIST = `query($first: Int, $after: String) { smartLists(first: $first, after: $after) { edges { cursor node { id name } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
const COUNT = `{ smartLists(first: 100) { edges { node { id } } } }`;

describe('smart list definitions', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const count = async () => (await server.gql(COUNT)).data.smartLists.edges.length;
  const filter = (extra: object = {}) => ({ activity: 'GOAL_ACHIEVED', ...extra });
  const ok = { name: 'ok', filters: [filter()] };
  const between = (from: string, to: string | null) => ({ betweenFrom: from, betweenTo: to });

  const bad: Array<[string, Record<string, unknown>, string[], RegExp]> = [
    ['blank name', { ...ok, name: '  ' }, ['input', 'name'], /1 to 255 characters/],
    ['long name', { ...ok, name: 'n'.repeat(256) }, ['input', 'name'], /1 to 255/],
    ['long description', { ...ok, description: 'd'.repeat(1025) }, ['input', 'description'], /at most 1024/],
    ['no filters', { ...ok, filters: [] }, ['input', 'filters'], /1 to 25 filters/],
    [
      '26 filters',
      { ...ok, filters: Array.from({ length: 26 }, () => filter()) },
      ['input', 'filters'],
      /1 to 25 filters/,
    ],
    [
      'ADVANCED without an expression',
      { ...ok, logic: 'ADVANCED' },
      ['input', 'advancedLogic'],
      /required with logic ADVANCED/,
    ],
    [
      'an expression without ADVANCED',
      { ...ok, logic: 'ANY', advancedLogic: '1' },
      ['input', 'advancedLogic'],
      /only used with logic ADVANCED/,
    ],
    [
      'unknown filter number',
      { ...ok, logic: 'ADVANCED', advancedLogic: '1 and 3', filters: [filter(), filter()] },
      ['input', 'advancedLogic'],
      /unknown filter number 3 .* at position 7/,
    ],
    [
      'bad token',
      { ...ok, logic: 'ADVANCED', advancedLogic: '1 + 2', filters: [filter(), filter()] },
      ['input', 'advancedLogic'],
      /unexpected character "\+" at position 3/,
    ],
    [
      'unbalanced',
      { ...ok, logic: 'ADVANCED', advancedLogic: '(1 or 2', filters: [filter(), filter()] },
      ['input', 'advancedLogic'],
      /expected "\)"/,
    ],
    [
      'too long expression',
      { ...ok, logic: 'ADVANCED', advancedLogic: '1 or '.repeat(300) + '1' },
      ['input', 'advancedLogic'],
      /at most 1024/,
    ],
    [
      'agent on a goal',
      { ...ok, filters: [filter({ constraints: { agent: { is: ['a'] } } })] },
      ['input', 'filters', '0', 'constraints', 'agent'],
      /does not apply to GOAL_ACHIEVED/,
    ],
    [
      'goal on a meeting',
      { ...ok, filters: [filter(), { activity: 'MEETING_SCHEDULED', constraints: { goal: { is: ['g'] } } }] },
      ['input', 'filters', '1', 'constraints', 'goal'],
      /does not apply/,
    ],
    [
      'document on TRIGGERED',
      { ...ok, filters: [{ activity: 'TRIGGERED', constraints: { document: { contains: ['x'] } } }] },
      ['input', 'filters', '0', 'constraints', 'document'],
      /does not apply/,
    ],
    [
      'meetingStatus on ENGAGED',
      { ...ok, filters: [{ activity: 'ENGAGED', constraints: { meetingStatus: ['SCHEDULED'] } }] },
      ['input', 'filters', '0', 'constraints', 'meetingStatus'],
      /does not apply/,
    ],
    [
      'two text operators',
      { ...ok, filters: [filter({ constraints: { chat: { is: ['a'], startsWith: ['b'] } } })] },
      ['input', 'filters', '0', 'constraints', 'chat'],
      /exactly one/,
    ],
    [
      'no text operator',
      { ...ok, filters: [filter({ constraints: { pageUrl: {} } })] },
      ['input', 'filters', '0', 'constraints', 'pageUrl'],
      /exactly one/,
    ],
    [
      'empty value list',
      { ...ok, filters: [filter({ constraints: { goal: { is: [] } } })] },
      ['input', 'filters', '0', 'constraints', 'goal', 'is'],
      /at least one value/,
    ],
    [
      'empty value',
      { ...ok, filters: [filter({ constraints: { goal: { contains: [''] } } })] },
      ['input', 'filters', '0', 'constraints', 'goal', 'contains', '0'],
      /non-empty/,
    ],
    [
      'two date forms',
      {
        ...ok,
        filters: [filter({ dateOfActivity: { before: '2026-01-01T00:00:00Z', inPast: { amount: 1, unit: 'DAYS' } } })],
      },
      ['input', 'filters', '0', 'dateOfActivity'],
      /exactly one/,
    ],
    [
      'between without its end',
      { ...ok, filters: [filter({ dateOfActivity: between('2026-01-01T00:00:00Z', null) })] },
      ['input', 'filters', '0', 'dateOfActivity', 'betweenTo'],
      /go together/,
    ],
    [
      'between backwards',
      { ...ok, filters: [filter({ dateOfActivity: between('2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z') })] },
      ['input', 'filters', '0', 'dateOfActivity', 'betweenTo'],
      /after betweenFrom/,
    ],
    [
      'zero duration',
      { ...ok, filters: [filter({ dateOfActivity: { inPast: { amount: 0, unit: 'DAYS' } } })] },
      ['input', 'filters', '0', 'dateOfActivity', 'inPast', 'amount'],
      /1 to 10000/,
    ],
    [
      'huge duration',
      { ...ok, filters: [filter({ dateOfActivity: { inPastBefore: { amount: 10_001, unit: 'MONTHS' } } })] },
      ['input', 'filters', '0', 'dateOfActivity', 'inPastBefore', 'amount'],
      /1 to 10000/,
    ],
    [
      'zero times',
      { ...ok, filters: [filter({ minNumberOfTimes: 0 })] },
      ['input', 'filters', '0', 'minNumberOfTimes'],
      /1 to 10000/,
    ],
    [
      'too many values',
      { ...ok, filters: [filter({ constraints: { goal: { is: Array.from({ length: 101 }, (_, i) => `g${i}`) } } })] },
      ['input', 'filters', '0', 'constraints', 'goal', 'is'],
      /at most 100/,
    ],
  ];

  it.each(bad)('%s → BAD_USER_INPUT at the field, nothing stored', async (_name, input, field, message) => {
    const before = await count();
    const res = await server.gql(CREATE, { input });
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(res.errors![0].message).toMatch(message);
    expect(JSON.stringify(res.errors)).not.toContain('"target"');
    expect(await count()).toBe(before);
  });

  it('an unknown enum value is refused by GraphQL before anything runs', async () => {
    const res = await server.gql(CREATE, { input: { name: 'x', filters: [{ activity: 'CLICKED' }] } });
    expect(res.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(await count()).toBe(0);
  });

  it('creates, renames, redefines, pages and deletes; names are unique per workspace, case-insensitively', async () => {
    const db = server.app.dataSource;
    const person = await insertPerson(db, server.workspaceId, 'crud@example.com');
    await insertActivities(db, server.workspaceId, person, [
      { type: 'GOAL_ACHIEVED', at: Date.now() - 3_600_000, goal: 'g' },
    ]);

    const created = await server.gql(CREATE, {
      input: { name: 'Engaged people', description: 'd', filters: [{ activity: 'ENGAGED' }] },
    });
    expect(created.errors).toBeUndefined();
    const id = created.data.createSmartList.id;
    expect(created.data.createSmartList).toMatchObject({
      name: 'Engaged people',
      description: 'd',
      logic: 'ALL',
      advancedLogic: null,
    });

    const taken = await server.gql(CREATE, { input: { name: 'ENGAGED PEOPLE', filters: [{ activity: 'ENGAGED' }] } });
    expect(taken.errors![0].extensions).toMatchObject({
      code: 'CONFLICT',
      field: ['input', 'name'],
      reason: 'NAME_TAKEN',
    });

    const updated = await server.gql(UPDATE, {
      id,
      input: { name: 'Goal reachers', filters: [{ activity: 'GOAL_ACHIEVED' }] },
    });
    expect(updated.errors).toBeUndefined();
    expect(updated.data.updateSmartList).toMatchObject({
      id,
      name: 'Goal reachers',
      description: null,
      filters: [{ activity: 'GOAL_ACHIEVED' }],
      memberCount: 1,
    });
    expect(Date.parse(updated.data.updateSmartList.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(created.data.createSmartList.updatedAt),
    );

    // A bad update changes nothing.
    const badUpdate = await server.gql(UPDATE, { id, input: { name: 'Broken', filters: [] } });
    expect(badUpdate.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    const still = await server.gql(`query($id: ID!) { smartList(id: $id) { name memberCount } }`, { id });
    expect(still.data.smartList).toEqual({ name: 'Goal reachers', memberCount: 1 });

    // The old name is free again; renaming onto a taken name is a conflict.
    const second = await server.gql(CREATE, { input: { name: 'engaged people', filters: [{ activity: 'ENGAGED' }] } });
    expect(second.errors).toBeUndefined();
    const clash = await server.gql(UPDATE, {
      id: second.data.createSmartList.id,
      input: { name: 'goal REACHERS', filters: [{ activity: 'ENGAGED' }] },
    });
    expect(clash.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: ['input', 'name'] });

    for (let i = 0; i < 3; i++)
      expect(
        (await server.gql(CREATE, { input: { name: `page ${i}`, filters: [{ activity: 'ENGAGED' }] } })).errors,
      ).toBeUndefined();
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await server.gql(LIST, { first: 2, after });
      expect(page.errors).toBeUndefined();
      seen.push(...page.data.smartLists.edges.map((e: any) => e.node.name));
      expect(page.data.smartLists.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!page.data.smartLists.pageInfo.hasNextPage) break;
      after = page.data.smartLists.pageInfo.endCursor;
    }
    expect(seen).toEqual(['Goal reachers', 'engaged people', 'page 0', 'page 1', 'page 2']);

    expect((await server.gql(DELETE, { id })).data).toEqual({ deleteSmartList: true });
    expect((await server.gql(`query($id: ID!) { smartList(id: $id) { id } }`, { id })).data).toEqual({
      smartList: null,
    });
    const again = await server.gql(DELETE, { id });
    expect(again.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'SMART_LIST_NOT_FOUND' });
    const missing = await server.gql(UPDATE, { id, input: { name: 'x', filters: [{ activity: 'ENGAGED' }] } });
    expect(missing.errors![0].extensions!.code).toBe('NOT_FOUND');
  });

  it('text matches ignore case and nothing else, on both databases: not accents, not trailing spaces', async () => {
    const db = server.app.dataSource;
    const person = await insertPerson(db, server.workspaceId, 'accents@example.com');
    await insertActivities(db, server.workspaceId, person, [
      { type: 'GOAL_ACHIEVED', at: Date.now() - 60_000, goal: 'Café Crème' },
    ]);
    let n = 0;
    const member = async (goal: Record<string, string[]>) => {
      const created = await server.gql(CREATE, {
        input: { name: `accents ${(n += 1)}`, filters: [{ activity: 'GOAL_ACHIEVED', constraints: { goal } }] },
      });
      expect(created.errors).toBeUndefined();
      const res = await server.gql('query($id: ID!, $p: ID!) { smartList(id: $id) { includes(personId: $p) } }', {
        id: created.data.createSmartList.id,
        p: person,
      });
      return res.data.smartList.includes as boolean;
    };
    expect(await member({ is: ['CAFÉ CRÈME'] })).toBe(true);
    expect(await member({ is: ['cafe creme'] })).toBe(false);
    expect(await member({ is: ['café crème '] })).toBe(false);
    expect(await member({ contains: ['É CR'] })).toBe(true);
    expect(await member({ contains: ['e cr'] })).toBe(false);
    expect(await member({ startsWith: ['cafe'] })).toBe(false);
    expect(await member({ isNot: ['cafe creme'] })).toBe(true);

    // Names are unique the same way: case-insensitively, accents and spaces count.
    for (const name of ['Crème list', 'Creme list', 'creme list ']) {
      expect(
        (await server.gql(CREATE, { input: { name, filters: [{ activity: 'ENGAGED' }] } })).errors,
      ).toBeUndefined();
    }
    const clash = await server.gql(CREATE, { input: { name: 'CRÈME LIST', filters: [{ activity: 'ENGAGED' }] } });
    expect(clash.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('another workspace neither sees nor changes a list, and its people are never members', async () => {
    const other = await server.createWorkspace('elsewhere');
    const list = await server.gql(CREATE, { input: { name: 'mine', filters: [{ activity: 'GOAL_ACHIEVED' }] } });
    const id = list.data.createSmartList.id;
    const foreigner = await insertPerson(server.app.dataSource, other.workspaceId, 'f@example.com');
    await insertActivities(server.app.dataSource, other.workspaceId, foreigner, [
      { type: 'GOAL_ACHIEVED', at: Date.now() - 1000, goal: 'g' },
    ]);

    const theirs = await server.gql(
      `query($id: ID!) { smartList(id: $id) { id } smartLists { edges { node { id } } } }`,
      { id },
      other.adminKey,
    );
    expect(theirs.data).toEqual({ smartList: null, smartLists: { edges: [] } });
    for (const mutation of [UPDATE, DELETE]) {
      const res = await server.gql(
        mutation,
        { id, input: { name: 'hijack', filters: [{ activity: 'ENGAGED' }] } },
        other.adminKey,
      );
      expect(res.errors![0].extensions!.code).toBe('NOT_FOUND');
    }
    const mine = await server.gql(
      `query($id: ID!, $p: ID!) { smartList(id: $id) { name includes(personId: $p) members(first: 100) { edges { node { id } } } } }`,
      { id, p: foreigner },
    );
    expect(mine.data.smartList.name).toBe('mine');
    expect(mine.data.smartList.includes).toBe(false);
    expect(mine.data.smartList.members.edges.map((e: any) => e.node.id)).not.toContain(foreigner);
  });
});
