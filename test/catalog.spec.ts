import { catalogId } from './helpers/ids';
import { recordManyMutation, recordMutation } from './helpers/record';
import { activeCampaign } from './helpers/campaign-fixtures';
import { startTestServer, subscribe, type TestServer } from './helpers/server';

const RECORD = recordMutation('outcome activity { id }');
const RECORD_MANY = recordManyMutation('index error { code message field } payload { outcome activity { id } }');

/** Every object that has an identity, with all its fields, wherever it appears in an activity. */
const TIMELINE = `query($visitor: String!) { personByVisitor(visitorId: $visitor) { id activities(first: 100) { edges { node {
  __typename id
  chat { __typename id widgetId kind name }
  ... on AgentEngagedActivity { agent { __typename id widgetId name } }
  ... on DocumentInteractedActivity { document { __typename id widgetId name url } }
  ... on MeetingScheduledActivity { meeting { agent { __typename id widgetId name } } }
} } } } }`;

const PICKERS = `query($first: Int, $after: String, $search: String) {
  chats(first: $first, after: $after, search: $search) { edges { cursor node { id widgetId kind name } } pageInfo { hasNextPage hasPreviousPage endCursor } }
  agents(first: $first, after: $after, search: $search) { edges { node { id widgetId name } } pageInfo { hasNextPage } }
  documents(first: $first, after: $after, search: $search) { edges { node { id widgetId name url } } pageInfo { hasNextPage } }
}`;

const chat = (id: string, name: string, kind = 'DIALOGUE') => ({ kind, id, name });

/** Collects every object with __typename and id in a response, and fails if two of one identity differ. */
function expectConsistent(value: unknown): Map<string, unknown> {
  const seen = new Map<string, unknown>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.__typename === 'string' && typeof o.id === 'string') {
      const key = `${o.__typename}:${o.id}`;
      const flat = JSON.stringify(Object.fromEntries(Object.entries(o).filter(([, x]) => typeof x !== 'object')));
      if (seen.has(key)) expect({ key, value: flat }).toEqual({ key, value: seen.get(key) });
      else seen.set(key, flat);
    }
    Object.values(o).forEach(walk);
  };
  walk(value);
  return seen;
}

describe('chats, agents and documents as workspace entities', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      config: { rateLimits: { perKeyPerSecond: 0, unauthenticatedPerIpPerMinute: 0, subscriptionsPerConnection: 100 } },
    });
  });
  afterAll(() => server.stop());

  const record = async (input: Record<string, unknown>) => {
    const res = await server.gql(RECORD, { input: { sessionId: 's', ...input } });
    expect(res.errors).toBeUndefined();
    return res.data.recordChatActivity;
  };

  it('shows every chat, agent and document of a response as it is now: the latest name (and url) wins', async () => {
    const visitor = 'v-rename';
    const agent = { id: 'agent-1', name: 'Sam' };
    await record({ type: 'TRIGGERED', visitorId: visitor, chat: chat('bot', 'Book a demo', 'CONVERSATIONAL_FLOW') });
    await record({
      type: 'ENGAGED_WITH_AGENT',
      visitorId: visitor,
      chat: chat('bot', 'Book a demo', 'CONVERSATIONAL_FLOW'),
      agent,
    });
    await record({
      type: 'INTERACTED_WITH_DOCUMENT',
      visitorId: visitor,
      chat: chat('bot', 'Book a demo', 'CONVERSATIONAL_FLOW'),
      document: { id: 'doc-1', name: 'Whitepaper', url: 'https://example.com/v1.pdf' },
    });
    // Renamed: later activities carry the new names; an older occurredAt does not matter, the later recording does.
    await record({
      type: 'GOAL_ACHIEVED',
      goal: 'g',
      visitorId: visitor,
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
      chat: chat('bot', 'Renamed demo', 'CONVERSATIONAL_FLOW'),
    });
    await record({
      type: 'MEETING_SCHEDULED',
      visitorId: visitor,
      chat: chat('bot', 'Renamed demo', 'CONVERSATIONAL_FLOW'),
      meeting: { startsAt: new Date(Date.now() + 86_400_000).toISOString(), agent: { id: 'agent-1', name: 'Sam R.' } },
    });
    await record({
      type: 'INTERACTED_WITH_DOCUMENT',
      visitorId: visitor,
      chat: chat('bot', 'Renamed demo', 'CONVERSATIONAL_FLOW'),
      document: { id: 'doc-1', name: 'Whitepaper 2' },
    });

    const res = await server.gql(TIMELINE, { visitor });
    expect(res.errors).toBeUndefined();
    const nodes = res.data.personByVisitor.activities.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(6);
    const ws = server.workspaceId;
    for (const node of nodes) {
      expect(node.chat).toEqual({
        __typename: 'Chat',
        id: catalogId('Chat', ws, 'bot'),
        widgetId: 'bot',
        kind: 'CONVERSATIONAL_FLOW',
        name: 'Renamed demo',
      });
      const agents = [node.agent, node.meeting?.agent].filter(Boolean);
      for (const a of agents)
        expect(a).toEqual({
          __typename: 'Agent',
          id: catalogId('Agent', ws, 'agent-1'),
          widgetId: 'agent-1',
          name: 'Sam R.',
        });
      if (node.document)
        expect(node.document).toEqual({
          __typename: 'Document',
          id: catalogId('Document', ws, 'doc-1'),
          widgetId: 'doc-1',
          name: 'Whitepaper 2',
          url: null,
        });
    }
    const identities = expectConsistent(res.data);
    expect([...identities.keys()].filter((k) => !k.includes('Activity:') && !k.startsWith('Person'))).toHaveLength(3);
  });

  it("fixes a chat's kind by its first activity: another kind is BAD_USER_INPUT and stores nothing", async () => {
    await record({ type: 'TRIGGERED', visitorId: 'v-kind', chat: chat('kind-bot', 'K') });
    const refused = await server.gql(RECORD, {
      input: {
        type: 'GOAL_ACHIEVED',
        goal: 'g',
        visitorId: 'v-kind-new',
        sessionId: 's',
        chat: chat('kind-bot', 'Renamed by a refused one', 'CONVERSATIONAL_FLOW'),
        person: { email: 'refused@example.com' },
      },
    });
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'CHAT_KIND_CONFLICT',
      field: ['input', 'chat', 'kind'],
    });
    // Nothing of it: no person for its visitor, no identification, no rename.
    const after = await server.gql(
      `{ personByVisitor(visitorId: "v-kind-new") { id } personByEmail(email: "refused@example.com") { id }
         chats(search: "k") { edges { node { widgetId kind name } } } }`,
    );
    expect(after.data).toEqual({
      personByVisitor: null,
      personByEmail: null,
      chats: { edges: [{ node: { widgetId: 'kind-bot', kind: 'DIALOGUE', name: 'K' } }] },
    });

    // In a batch, only that item: the first activity naming a new chat fixes its kind, in input order.
    const batch = await server.gql(RECORD_MANY, {
      inputs: [
        {
          type: 'GOAL_ACHIEVED',
          goal: 'g',
          visitorId: 'v-kind-batch',
          sessionId: 's',
          chat: chat('new-bot', 'N', 'CONVERSATIONAL_FLOW'),
        },
        { type: 'GOAL_ACHIEVED', goal: 'g', visitorId: 'v-kind-batch', sessionId: 's', chat: chat('new-bot', 'N2') },
        {
          type: 'GOAL_ACHIEVED',
          goal: 'g',
          visitorId: 'v-kind-batch',
          sessionId: 's',
          chat: chat('kind-bot', 'K2', 'CONVERSATIONAL_FLOW'),
        },
        { type: 'GOAL_ACHIEVED', goal: 'g', visitorId: 'v-kind-batch', sessionId: 's', chat: chat('kind-bot', 'K3') },
      ],
    });
    expect(batch.errors).toBeUndefined();
    const results = batch.data.recordChatActivities;
    expect(results.map((r: any) => r.payload?.outcome ?? r.error.code)).toEqual([
      'RECORDED',
      'BAD_USER_INPUT',
      'BAD_USER_INPUT',
      'RECORDED',
    ]);
    expect(results[1].error.field).toEqual(['inputs', '1', 'chat', 'kind']);
    expect(results[2].error.field).toEqual(['inputs', '2', 'chat', 'kind']);
    const chats = await server.gql('{ chats(search: "") { edges { node { widgetId kind name } } } }');
    const byId = Object.fromEntries(chats.data.chats.edges.map((e: any) => [e.node.widgetId, e.node]));
    // The refused items renamed nothing: the stored ones did.
    expect(byId['new-bot']).toEqual({ widgetId: 'new-bot', kind: 'CONVERSATIONAL_FLOW', name: 'N' });
    expect(byId['kind-bot']).toEqual({ widgetId: 'kind-bot', kind: 'DIALOGUE', name: 'K3' });
  });

  it('lets one of concurrent first activities of a new chat with different kinds fix the kind, and refuses the others', async () => {
    // Separate batch calls are separate transactions (single calls of one tick would be coalesced into one).
    const calls = Array.from({ length: 12 }, (_, i) =>
      server.gql(RECORD_MANY, {
        inputs: [
          {
            type: 'GOAL_ACHIEVED',
            goal: 'g',
            visitorId: `v-race-${i}`,
            sessionId: 's',
            chat: chat('race-bot', `Race ${i}`, i % 2 === 0 ? 'DIALOGUE' : 'CONVERSATIONAL_FLOW'),
          },
        ],
      }),
    );
    const results = (await Promise.all(calls)).map((res) => {
      expect(res.errors).toBeUndefined();
      return res.data.recordChatActivities[0];
    });
    const [stored] = (await server.gql('{ chats(search: "race") { edges { node { widgetId kind name } } } }')).data
      .chats.edges;
    const winner = stored.node.kind;
    results.forEach((result: any, i: number) => {
      const kind = i % 2 === 0 ? 'DIALOGUE' : 'CONVERSATIONAL_FLOW';
      if (kind === winner) expect(result.payload?.outcome).toBe('RECORDED');
      else expect(result.error).toMatchObject({ code: 'BAD_USER_INPUT', field: ['inputs', '0', 'chat', 'kind'] });
    });
    expect(results.filter((r: any) => r.payload).length).toBe(6);
  });

  it('keeps a name that lower-cases longer than its column (the key is cut, the name is not)', async () => {
    const name = 'İ'.repeat(255);
    await record({ type: 'GOAL_ACHIEVED', goal: 'g', visitorId: 'v-long', chat: chat('long-bot', name) });
    const res = await server.gql('{ chats(search: "i̇i̇") { edges { node { widgetId name } } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data.chats.edges).toEqual([{ node: { widgetId: 'long-bot', name } }]);
  });

  it('does not lose a rename among concurrent writers: the latest recorded name wins', async () => {
    const visitor = 'v-concurrent';
    await record({ type: 'GOAL_ACHIEVED', goal: 'g', visitorId: visitor, chat: chat('busy-bot', 'Busy 0') });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.gql(RECORD_MANY, {
          inputs: [
            {
              type: 'GOAL_ACHIEVED',
              goal: 'g',
              visitorId: `${visitor}-${i}`,
              sessionId: 's',
              chat: chat('busy-bot', `Busy ${i}`),
            },
            {
              type: 'ENGAGED_WITH_AGENT',
              visitorId: `${visitor}-${i}`,
              sessionId: 's',
              chat: chat('busy-bot', `Busy ${i}`),
              agent: { id: 'busy-agent', name: `Agent ${i}` },
            },
          ],
        }),
      ),
    );
    // The last one to be recorded (not necessarily to commit) wins; a final one settles it for certain.
    const last = await record({
      type: 'ENGAGED_WITH_AGENT',
      visitorId: visitor,
      chat: chat('busy-bot', 'Busy final'),
      agent: { id: 'busy-agent', name: 'Agent final' },
    });
    expect(last.outcome).toBe('RECORDED');
    const res = await server.gql(
      '{ chats(search: "busy") { edges { node { name } } } agents(search: "agent") { edges { node { widgetId name } } } }',
    );
    expect(res.data.chats.edges).toEqual([{ node: { name: 'Busy final' } }]);
    expect(res.data.agents.edges.find((e: any) => e.node.widgetId === 'busy-agent').node.name).toBe('Agent final');
  });
});

describe('subscriptions show chats as they are now too', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('replays an activity recorded under an old name with the current one', async () => {
    const record = async (name: string) =>
      (
        await server.gql(recordMutation('activity { id streamCursor }'), {
          input: { type: 'GOAL_ACHIEVED', goal: 'g', visitorId: 'v-sub', sessionId: 's', chat: chat('sub-bot', name) },
        })
      ).data.recordChatActivity.activity;
    const start = await record('First');
    const old = await record('Old name');
    const renamed = await record('New name');
    const events = subscribe(
      server.wsClient(),
      'subscription($after: String) { activityRecorded(after: $after) { __typename id chat { __typename id widgetId name } } }',
      { after: start.streamCursor },
    );
    const received = await events.waitFor(2);
    expect(received.map((r) => r.data.activityRecorded.id)).toEqual([old.id, renamed.id]);
    for (const r of received) expect(r.data.activityRecorded.chat.name).toBe('New name');
  });

  it("shows a run's person as one object in campaignTriggered: run.person and activity.person agree", async () => {
    const campaignId = await activeCampaign(server, { flow: [{ action: 'CHANGE_SCORE', scoreDelta: 5 }] });
    const runs = subscribe(
      server.wsClient(),
      `subscription($c: ID!) { campaignTriggered(campaignId: $c) {
        person { __typename id score } activity { __typename id person { __typename id score } chat { __typename id name } } } }`,
      { c: campaignId },
    );
    for (let i = 0; i < 50 && runs.received.length === 0; i += 1) {
      await server.gql(RECORD, {
        input: {
          type: 'GOAL_ACHIEVED',
          goal: 'g',
          visitorId: 'v-run',
          sessionId: `s-${i}`,
          chat: chat('run-bot', 'Run bot'),
        },
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [run] = await runs.waitFor(1);
    expectConsistent(run.data);
    expect(run.data.campaignTriggered.activity.person).toEqual(run.data.campaignTriggered.person);
  });
});

describe('pickers: chats, agents and documents', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const names = [
      'Pricing',
      'PRIVATE beta',
      'pro plan',
      'Café pricing',
      'CAFÉ au lait',
      'Cafe noir',
      '50% off',
      '5_0 deals',
      'Écoles',
      'Zebra',
    ];
    const inputs = names.map((name, i) => ({
      type: 'INTERACTED_WITH_DOCUMENT',
      visitorId: `picker-${i}`,
      sessionId: 's',
      chat: chat(`chat-${i}`, name),
      document: { id: `doc-${i}`, name, url: `https://example.com/${i}.pdf` },
    }));
    const agents = names.map((name, i) => ({
      type: 'ENGAGED_WITH_AGENT',
      visitorId: `picker-${i}`,
      sessionId: 's',
      chat: chat(`chat-${i}`, name),
      agent: { id: `agent-${i}`, name },
    }));
    const res = await server.gql(RECORD_MANY, { inputs: [...inputs, ...agents] });
    expect(res.errors).toBeUndefined();
    expect(res.data.recordChatActivities.every((r: any) => r.payload?.outcome === 'RECORDED')).toBe(true);
  });
  afterAll(() => server.stop());

  const search = async (text: string | null) => {
    const res = await server.gql(PICKERS, { search: text, first: 100 });
    expect(res.errors).toBeUndefined();
    return {
      chats: res.data.chats.edges.map((e: any) => e.node.name),
      agents: res.data.agents.edges.map((e: any) => e.node.name),
      documents: res.data.documents.edges.map((e: any) => e.node.name),
    };
  };

  it('lists in name order, any case, and finds by name prefix, case-insensitively and otherwise exactly', async () => {
    const all = await search(null);
    // Lower-cased names compared as UTF-8 bytes (as both databases do): "é" after "z".
    expect(all.chats).toEqual([
      '50% off',
      '5_0 deals',
      'Cafe noir',
      'CAFÉ au lait',
      'Café pricing',
      'Pricing',
      'PRIVATE beta',
      'pro plan',
      'Zebra',
      'Écoles',
    ]);
    expect(all.agents).toEqual(all.chats);
    expect(all.documents).toEqual(all.chats);
    expect((await search('pri')).chats).toEqual(['Pricing', 'PRIVATE beta']);
    expect((await search('PR')).agents).toEqual(['Pricing', 'PRIVATE beta', 'pro plan']);
    // Accents count: "cafe" is not "café"; case does not, also beyond ASCII.
    expect((await search('cafe')).documents).toEqual(['Cafe noir']);
    expect((await search('CAFÉ')).documents).toEqual(['CAFÉ au lait', 'Café pricing']);
    expect((await search('éc')).chats).toEqual(['Écoles']);
    // A prefix, not a substring; and % and _ are plain characters.
    expect((await search('pricing')).chats).toEqual(['Pricing']);
    expect((await search('5%')).chats).toEqual([]);
    expect((await search('50%')).chats).toEqual(['50% off']);
    expect((await search('5_')).chats).toEqual(['5_0 deals']);
    expect((await search('nothing')).chats).toEqual([]);
  });

  it('pages with a keyset cursor: first/after, default 20, at most 100, first: null is the default', async () => {
    const walked: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const res: any = await server.gql(PICKERS, { first: 3, after });
      expect(res.errors).toBeUndefined();
      const { edges, pageInfo } = res.data.chats;
      walked.push(...edges.map((e: any) => e.node.widgetId));
      expect(pageInfo.hasPreviousPage).toBe(after !== null);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(walked).toHaveLength(10);
    expect(new Set(walked).size).toBe(10);
    const defaults = await server.gql(PICKERS, { first: null });
    expect(defaults.data.chats.edges).toHaveLength(10);
    expect(defaults.data.chats.pageInfo.hasNextPage).toBe(false);
    expect((await server.gql(PICKERS, { first: 101 })).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    expect((await server.gql(PICKERS, { after: 'nope' })).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['after'],
    });
    expect((await server.gql(PICKERS, { search: 'x'.repeat(256) })).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['search'],
    });
  });

  it("shows only the caller's workspace, and needs READ", async () => {
    const other = await server.createWorkspace();
    const res = await server.gql(PICKERS, {}, other.adminKey);
    expect(res.data).toEqual({
      chats: { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, endCursor: null } },
      agents: { edges: [], pageInfo: { hasNextPage: false } },
      documents: { edges: [], pageInfo: { hasNextPage: false } },
    });
    const recordKey = await server.createKey(server.workspaceId, ['RECORD']);
    expect((await server.gql(PICKERS, {}, recordKey)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
