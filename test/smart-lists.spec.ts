import { insertActivities, insertPerson, type ActivitySpec } from './helpers/activity-data';
import { rawId } from './helpers/ids';
import { startTestServer, type TestServer } from './helpers/server';

const H = 3_600_000;
const D = 24 * H;

const CREATE = `mutation($input: SmartListInput!) { createSmartList(input: $input) { id name logic advancedLogic filters { position activity negated minNumberOfTimes
  constraints { chatKind chat { is isNot contains startsWith } agent { is } document { is } goal { is } pageUrl { contains startsWith } meetingStatus }
  dateOfActivity { inPast { amount unit } inPastBefore { amount unit } before after betweenFrom betweenTo } } } }`;
const MEMBERS = `query($id: ID!, $after: String) { smartList(id: $id) { memberCount members(first: 2, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }`;
const INCLUDES = (people: string[]) =>
  `query($id: ID!) { smartList(id: $id) { ${people.map((p, i) => `p${i}: includes(personId: "${p}")`).join(' ')} } }`;

/**
 * One small hand-built data set, and for each filter feature a list with its
 * members written out by hand. Each list is checked through members (walked
 * two at a time), memberCount, includes for every person, and at the end
 * Person.smartLists for every person: all four must agree with the table.
 */
describe('smart lists: each filter feature against a hand-built data set', () => {
  let server: TestServer;
  let now: number;
  const ids: Record<string, string> = {};
  const nameOf = new Map<string, string>();
  const listMembers = new Map<string, string[]>();

  beforeAll(async () => {
    server = await startTestServer();
    now = Date.now();
    const db = server.app.dataSource;
    const ws = server.workspaceId;
    const data: Record<string, ActivitySpec[]> = {
      A: [
        { type: 'TRIGGERED', at: now - 2 * H, chat: 'welcome-bot', pageUrl: 'https://ex.com/pricing' },
        { type: 'ENGAGED', at: now - 2 * H, chat: 'welcome-bot' },
        { type: 'GOAL_ACHIEVED', at: now - 1 * D, chat: 'welcome-bot', goal: 'Signup' },
        { type: 'GOAL_ACHIEVED', at: now - 10 * D, goal: 'Signup' },
        { type: 'GOAL_ACHIEVED', at: now - 40 * D, goal: 'Newsletter' },
      ],
      B: [
        {
          type: 'TRIGGERED',
          at: now - 3 * D,
          chat: 'pricing-flow',
          chatKind: 'CONVERSATIONAL_FLOW',
          pageUrl: 'https://ex.com/docs/100%_guide',
        },
        {
          type: 'ENGAGED_WITH_AGENT',
          at: now - 3 * D,
          chat: 'pricing-flow',
          chatKind: 'CONVERSATIONAL_FLOW',
          agent: 'agent-7',
        },
        { type: 'MEETING_SCHEDULED', at: now - 3 * D, agent: 'agent-7', meetingStatus: 'SCHEDULED' },
        { type: 'MEETING_SCHEDULED', at: now - 2 * D, agent: 'agent-7', meetingStatus: 'CANCELLED' },
      ],
      C: [
        { type: 'INTERACTED_WITH_DOCUMENT', at: now - 5 * H, chat: 'welcome-bot', document: 'whitepaper-1' },
        { type: 'INTERACTED_WITH_DOCUMENT', at: now - 6 * H, document: 'whitepaper-1' },
        { type: 'INTERACTED_WITH_DOCUMENT', at: now - 7 * H, document: 'ebook_2' },
        { type: 'TRIGGERED', at: now - 100 * D, chat: 'WELCOME-BOT', pageUrl: 'https://ex.com/docs_old' },
      ],
      D: [],
      E: [
        { type: 'GOAL_ACHIEVED', at: now - 50 * D, goal: 'signup' },
        { type: 'MEETING_SCHEDULED', at: now - 1 * H, agent: 'agent-9', meetingStatus: 'RESCHEDULED' },
        { type: 'TRIGGERED', at: now - 20 * D, chat: 'pricing-flow', chatKind: 'CONVERSATIONAL_FLOW', pageUrl: null },
      ],
      F: [{ type: 'TRIGGERED', at: now - 4 * H, chat: 'other', pageUrl: 'https://ex.com/docsXguide' }],
    };
    for (const [name, specs] of Object.entries(data)) {
      ids[name] = await insertPerson(db, ws, `${name.toLowerCase()}@example.com`);
      nameOf.set(ids[name], name);
      await insertActivities(db, ws, ids[name], specs);
    }
    // Another workspace whose person does everything: it must never show up.
    const other = await server.createWorkspace('other');
    ids.Z = await insertPerson(db, other.workspaceId, 'z@example.com');
    nameOf.set(ids.Z, 'Z');
    await insertActivities(
      db,
      other.workspaceId,
      ids.Z,
      Object.values(data)
        .flat()
        .map((spec) => ({ ...spec })),
    );
  });
  afterAll(() => server.stop());

  const T = (constraints?: object, extra: object = {}) => ({ activity: 'TRIGGERED', constraints, ...extra });
  const EVERYONE = ['A', 'B', 'C', 'D', 'E', 'F'];

  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['any TRIGGERED', { filters: [T()] }, ['A', 'B', 'C', 'E', 'F']],
    ['chatKind', { filters: [T({ chatKind: 'CONVERSATIONAL_FLOW' })] }, ['B', 'E']],
    ['chat is (case-insensitive)', { filters: [T({ chat: { is: ['welcome-bot'] } })] }, ['A', 'C']],
    ['chat isNot', { filters: [T({ chat: { isNot: ['Welcome-Bot'] } })] }, ['B', 'E', 'F']],
    ['chat contains', { filters: [T({ chat: { contains: ['PRICING'] } })] }, ['B', 'E']],
    ['chat startsWith', { filters: [T({ chat: { startsWith: ['welc'] } })] }, ['A', 'C']],
    ['chat is, several values', { filters: [T({ chat: { is: ['other', 'pricing-flow'] } })] }, ['B', 'E', 'F']],
    ['agent is', { filters: [{ activity: 'ENGAGED_WITH_AGENT', constraints: { agent: { is: ['agent-7'] } } }] }, ['B']],
    [
      'agent isNot on meetings',
      { filters: [{ activity: 'MEETING_SCHEDULED', constraints: { agent: { isNot: ['agent-7'] } } }] },
      ['E'],
    ],
    [
      'document is',
      { filters: [{ activity: 'INTERACTED_WITH_DOCUMENT', constraints: { document: { is: ['WHITEPAPER-1'] } } }] },
      ['C'],
    ],
    [
      'document contains with an underscore',
      { filters: [{ activity: 'INTERACTED_WITH_DOCUMENT', constraints: { document: { contains: ['k_2'] } } }] },
      ['C'],
    ],
    [
      'document isNot every value held',
      {
        filters: [
          { activity: 'INTERACTED_WITH_DOCUMENT', constraints: { document: { isNot: ['whitepaper-1', 'ebook_2'] } } },
        ],
      },
      [],
    ],
    ['goal is', { filters: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['SIGNUP'] } } }] }, ['A', 'E']],
    [
      'goal contains',
      { filters: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { contains: ['news'] } } }] },
      ['A'],
    ],
    ['pageUrl contains escapes % and _', { filters: [T({ pageUrl: { contains: ['%_guide'] } })] }, ['B']],
    ['pageUrl startsWith escapes _', { filters: [T({ pageUrl: { startsWith: ['https://ex.com/docs_'] } })] }, ['C']],
    [
      'pageUrl isNot skips missing values',
      { filters: [T({ pageUrl: { isNot: ['https://ex.com/pricing'] } })] },
      ['B', 'C', 'F'],
    ],
    [
      'meetingStatus any of',
      { filters: [{ activity: 'MEETING_SCHEDULED', constraints: { meetingStatus: ['CANCELLED', 'RESCHEDULED'] } }] },
      ['B', 'E'],
    ],
    [
      'meetingStatus one',
      { filters: [{ activity: 'MEETING_SCHEDULED', constraints: { meetingStatus: ['SCHEDULED'] } }] },
      ['B'],
    ],
    [
      'constraints hold on one activity together',
      {
        filters: [
          {
            activity: 'MEETING_SCHEDULED',
            constraints: { agent: { is: ['agent-7'] }, meetingStatus: ['RESCHEDULED'] },
          },
        ],
      },
      [],
    ],
    [
      'inPast days',
      { filters: [{ activity: 'GOAL_ACHIEVED', dateOfActivity: { inPast: { amount: 2, unit: 'DAYS' } } }] },
      ['A'],
    ],
    [
      'inPast hours',
      { filters: [{ activity: 'MEETING_SCHEDULED', dateOfActivity: { inPast: { amount: 2, unit: 'HOURS' } } }] },
      ['E'],
    ],
    [
      'inPast minutes',
      { filters: [{ activity: 'MEETING_SCHEDULED', dateOfActivity: { inPast: { amount: 30, unit: 'MINUTES' } } }] },
      [],
    ],
    [
      'inPast weeks',
      { filters: [T(undefined, { dateOfActivity: { inPast: { amount: 2, unit: 'WEEKS' } } })] },
      ['A', 'B', 'F'],
    ],
    [
      'inPast months',
      { filters: [{ activity: 'GOAL_ACHIEVED', dateOfActivity: { inPast: { amount: 1, unit: 'MONTHS' } } }] },
      ['A'],
    ],
    [
      'inPastBefore',
      { filters: [{ activity: 'GOAL_ACHIEVED', dateOfActivity: { inPastBefore: { amount: 30, unit: 'DAYS' } } }] },
      ['A', 'E'],
    ],
    [
      'before',
      {
        filters: [
          { activity: 'GOAL_ACHIEVED', dateOfActivity: { before: new Date(Date.now() - 30 * D).toISOString() } },
        ],
      },
      ['A', 'E'],
    ],
    [
      'after',
      {
        filters: [
          { activity: 'MEETING_SCHEDULED', dateOfActivity: { after: new Date(Date.now() - 5 * D).toISOString() } },
        ],
      },
      ['B', 'E'],
    ],
    [
      'between',
      {
        filters: [
          {
            activity: 'GOAL_ACHIEVED',
            dateOfActivity: {
              betweenFrom: new Date(Date.now() - 12 * D).toISOString(),
              betweenTo: new Date(Date.now() - 5 * D).toISOString(),
            },
          },
        ],
      },
      ['A'],
    ],
    ['min 2 times', { filters: [{ activity: 'GOAL_ACHIEVED', minNumberOfTimes: 2 }] }, ['A']],
    ['min 3 times', { filters: [{ activity: 'GOAL_ACHIEVED', minNumberOfTimes: 3 }] }, ['A']],
    ['min 4 times', { filters: [{ activity: 'GOAL_ACHIEVED', minNumberOfTimes: 4 }] }, []],
    [
      'min times counts constrained activities',
      {
        filters: [
          {
            activity: 'INTERACTED_WITH_DOCUMENT',
            minNumberOfTimes: 2,
            constraints: { document: { is: ['whitepaper-1'] } },
          },
        ],
      },
      ['C'],
    ],
    [
      'min times over the constraint',
      {
        filters: [
          {
            activity: 'INTERACTED_WITH_DOCUMENT',
            minNumberOfTimes: 3,
            constraints: { document: { is: ['whitepaper-1'] } },
          },
        ],
      },
      [],
    ],
    [
      'min times counts within the date',
      {
        filters: [
          { activity: 'GOAL_ACHIEVED', minNumberOfTimes: 2, dateOfActivity: { inPast: { amount: 15, unit: 'DAYS' } } },
        ],
      },
      ['A'],
    ],
    [
      'min times outside the date',
      {
        filters: [
          { activity: 'GOAL_ACHIEVED', minNumberOfTimes: 2, dateOfActivity: { inPast: { amount: 5, unit: 'DAYS' } } },
        ],
      },
      [],
    ],
    ['negated', { filters: [{ activity: 'GOAL_ACHIEVED', negated: true }] }, ['B', 'C', 'D', 'F']],
    [
      'negated min times',
      { filters: [{ activity: 'GOAL_ACHIEVED', negated: true, minNumberOfTimes: 2 }] },
      ['B', 'C', 'D', 'E', 'F'],
    ],
    [
      'negated with a date',
      { filters: [T(undefined, { negated: true, dateOfActivity: { inPast: { amount: 1, unit: 'DAYS' } } })] },
      ['B', 'C', 'D', 'E'],
    ],
    ['ALL', { logic: 'ALL', filters: [T(), { activity: 'GOAL_ACHIEVED' }] }, ['A', 'E']],
    [
      'ANY',
      { logic: 'ANY', filters: [{ activity: 'ENGAGED_WITH_AGENT' }, { activity: 'INTERACTED_WITH_DOCUMENT' }] },
      ['B', 'C'],
    ],
    [
      'ANY with a negated filter',
      { logic: 'ANY', filters: [T(undefined, { negated: true }), { activity: 'GOAL_ACHIEVED', minNumberOfTimes: 3 }] },
      ['A', 'D'],
    ],
    [
      'ADVANCED with and/or/not and parentheses',
      {
        logic: 'ADVANCED',
        advancedLogic: '1 and (2 or not 3)',
        filters: [T(), { activity: 'GOAL_ACHIEVED' }, { activity: 'MEETING_SCHEDULED' }],
      },
      ['A', 'C', 'E', 'F'],
    ],
    ['ADVANCED not', { logic: 'ADVANCED', advancedLogic: 'not 1', filters: [T()] }, ['D']],
    [
      'ADVANCED upper-case keywords, precedence by parentheses',
      {
        logic: 'ADVANCED',
        advancedLogic: '(1 OR 2) AND NOT 3',
        filters: [{ activity: 'ENGAGED' }, { activity: 'MEETING_SCHEDULED' }, { activity: 'GOAL_ACHIEVED' }],
      },
      ['B'],
    ],
    [
      'ADVANCED and binds tighter than or',
      {
        logic: 'ADVANCED',
        advancedLogic: '1 or 2 and 3',
        filters: [{ activity: 'ENGAGED' }, { activity: 'MEETING_SCHEDULED' }, { activity: 'GOAL_ACHIEVED' }],
      },
      ['A', 'E'],
    ],
  ];

  it.each(cases)('%s', async (name, definition, expected) => {
    const created = await server.gql(CREATE, { input: { name, ...definition } });
    expect(created.errors).toBeUndefined();
    const list = created.data.createSmartList;
    expect(list.filters).toHaveLength((definition.filters as unknown[]).length);
    listMembers.set(name, expected);

    const walked: string[] = [];
    let after: string | null = null;
    let count = -1;
    for (let page = 0; page < 10; page++) {
      const res: any = await server.gql(MEMBERS, { id: list.id, after });
      expect(res.errors).toBeUndefined();
      const { memberCount, members } = res.data.smartList;
      count = memberCount;
      expect(members.totalCount).toBe(memberCount);
      walked.push(...members.edges.map((e: any) => e.node.id));
      if (!members.pageInfo.hasNextPage) break;
      after = members.pageInfo.endCursor;
    }
    // In person id order: the raw ids' (global ids do not sort alike).
    expect(walked.map(rawId)).toEqual(walked.map(rawId).sort());
    expect(walked.map((id) => nameOf.get(rawId(id))).sort()).toEqual(expected);
    expect(count).toBe(expected.length);

    const everyone = [...EVERYONE, 'Z'];
    const includes = await server.gql(INCLUDES(everyone.map((p) => ids[p])), { id: list.id });
    expect(includes.errors).toBeUndefined();
    const included = everyone.filter((_, i) => includes.data.smartList[`p${i}`]);
    expect(included).toEqual(expected);
  });

  it('Person.smartLists agrees with every list above', async () => {
    const query = `{ ${EVERYONE.map((p) => `${p}: person(id: "${ids[p]}") { smartLists { name } }`).join(' ')} }`;
    const res = await server.gql(query);
    expect(res.errors).toBeUndefined();
    for (const person of EVERYONE) {
      const expected = [...listMembers].filter(([, members]) => members.includes(person)).map(([name]) => name);
      expect(res.data[person].smartLists.map((l: { name: string }) => l.name).sort()).toEqual(expected.sort());
    }
  });

  it('echoes the definition back as stored', async () => {
    const res = await server.gql(CREATE, {
      input: {
        name: 'echo',
        logic: 'ADVANCED',
        advancedLogic: '1 or not 2',
        filters: [
          {
            activity: 'MEETING_SCHEDULED',
            constraints: { chatKind: 'DIALOGUE', agent: { is: ['a', 'b'] }, meetingStatus: ['CANCELLED'] },
            dateOfActivity: { inPast: { amount: 3, unit: 'MONTHS' } },
          },
          {
            activity: 'TRIGGERED',
            negated: true,
            minNumberOfTimes: 2,
            constraints: { pageUrl: { startsWith: ['https://'] } },
            dateOfActivity: { betweenFrom: '2026-01-01T00:00:00Z', betweenTo: '2026-02-01T00:00:00Z' },
          },
        ],
      },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.createSmartList).toMatchObject({
      name: 'echo',
      logic: 'ADVANCED',
      advancedLogic: '1 or not 2',
      filters: [
        {
          position: 1,
          activity: 'MEETING_SCHEDULED',
          negated: false,
          minNumberOfTimes: 1,
          constraints: {
            chatKind: 'DIALOGUE',
            agent: { is: ['a', 'b'] },
            meetingStatus: ['CANCELLED'],
            chat: null,
            goal: null,
          },
          dateOfActivity: { inPast: { amount: 3, unit: 'MONTHS' }, before: null, betweenFrom: null },
        },
        {
          position: 2,
          activity: 'TRIGGERED',
          negated: true,
          minNumberOfTimes: 2,
          constraints: { pageUrl: { startsWith: ['https://'], contains: null } },
          dateOfActivity: {
            betweenFrom: '2026-01-01T00:00:00.000Z',
            betweenTo: '2026-02-01T00:00:00.000Z',
            inPast: null,
          },
        },
      ],
    });
  });
});
