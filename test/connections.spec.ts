import { activeCampaign } from './helpers/campaign-fixtures';
import { recordMany } from './helpers/record';
import { startTestServer, type TestServer } from './helpers/server';

const PAGE = 'edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

/** Every connection of the API, each asked with `first: $first, after: $after`. */
const CONNECTIONS: Record<string, { query: string; read: (data: any) => any }> = {
  people: { query: `people(first: $first, after: $after) { ${PAGE} }`, read: (d) => d.people },
  'Person.activities': {
    query: `person(id: $person) { activities(first: $first, after: $after) { ${PAGE} } }`,
    read: (d) => d.person.activities,
  },
  campaigns: { query: `campaigns(first: $first, after: $after) { ${PAGE} }`, read: (d) => d.campaigns },
  'Campaign.runs': {
    query: `campaign(id: $campaign) { runs(first: $first, after: $after) { ${PAGE} } }`,
    read: (d) => d.campaign.runs,
  },
  smartLists: { query: `smartLists(first: $first, after: $after) { ${PAGE} }`, read: (d) => d.smartLists },
  'SmartList.members': {
    query: `smartList(id: $list) { members(first: $first, after: $after) { ${PAGE} } }`,
    read: (d) => d.smartList.members,
  },
  deliveries: { query: `deliveries(first: $first, after: $after) { ${PAGE} }`, read: (d) => d.deliveries },
  chats: { query: `chats(first: $first, after: $after) { ${PAGE} }`, read: (d) => d.chats },
  agents: { query: `agents(first: $first, after: $after) { ${PAGE} }`, read: (d) => d.agents },
  documents: { query: `documents(first: $first, after: $after) { ${PAGE} }`, read: (d) => d.documents },
};

const TIMELINE = `query($person: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  person(id: $person) { activities(first: $first, after: $after, last: $last, before: $before) { ${PAGE} } } }`;

/** More than one default page (20) of everything. */
const COUNT = 23;

describe('connections', () => {
  let server: TestServer;
  let vars: { person: string; campaign: string; list: string };

  beforeAll(async () => {
    server = await startTestServer({
      config: { rateLimits: { perKeyPerSecond: 0, unauthenticatedPerIpPerMinute: 0, subscriptionsPerConnection: 100 } },
    });
    await server.gql(
      'mutation($input: SalesInsightSettingsInput!) { updateSalesInsightSettings(input: $input) { enabled } }',
      {
        input: {
          enabled: true,
          endpointUrl: 'http://127.0.0.1:9/hook',
          signingSecret: 'connections-secret',
          activityTypes: ['GOAL_ACHIEVED'],
        },
      },
    );
    const campaign = await activeCampaign(server);
    for (let i = 0; i < COUNT - 1; i += 1) await activeCampaign(server);
    for (let i = 0; i < COUNT; i += 1) {
      const created = await server.gql(
        `mutation { createSmartList(input: { name: "list ${i}", filters: [{ activity: INTERACTED_WITH_DOCUMENT }] }) { id } }`,
      );
      expect(created.errors).toBeUndefined();
      if (i === 0) vars = { person: '', campaign, list: created.data.createSmartList.id };
    }
    // One person with COUNT activities (one run each), and COUNT more people; each with its own chat, agent, document.
    const inputs = Array.from({ length: COUNT }, (_, i) => [
      {
        type: 'GOAL_ACHIEVED',
        goal: 'g',
        visitorId: 'walker',
        sessionId: 's',
        occurredAt: new Date(Date.now() - (i % 5) * 60_000).toISOString(),
        chat: { kind: 'DIALOGUE', id: `chat-${i}`, name: `Chat ${i}` },
      },
      {
        type: 'ENGAGED_WITH_AGENT',
        visitorId: `visitor-${i}`,
        sessionId: 's',
        chat: { kind: 'DIALOGUE', id: `chat-${i}`, name: `Chat ${i}` },
        agent: { id: `agent-${i}`, name: `Agent ${i}` },
      },
      {
        type: 'INTERACTED_WITH_DOCUMENT',
        visitorId: `visitor-${i}`,
        sessionId: 's',
        chat: { kind: 'DIALOGUE', id: `chat-${i}`, name: `Chat ${i}` },
        document: { id: `doc-${i}`, name: `Doc ${i}` },
      },
    ]).flat();
    const results = await recordMany(server, inputs);
    expect(results.every((r) => r.payload?.outcome === 'RECORDED')).toBe(true);
    vars.person = results[0].payload!.activity.person.id;
  });
  afterAll(() => server.stop());

  const page = async (name: string, first: number | null | undefined, after: string | null = null) => {
    const { query, read } = CONNECTIONS[name];
    const ids = (['person', 'campaign', 'list'] as const).filter((v) => query.includes(`$${v}`));
    const declared = ['$first: Int', '$after: String', ...ids.map((v) => `$${v}: ID!`)].join(', ');
    const res = await server.gql(`query(${declared}) { ${query} }`, {
      ...Object.fromEntries(ids.map((v) => [v, vars[v]])),
      ...(first === undefined ? {} : { first }),
      after,
    });
    expect(res.errors).toBeUndefined();
    return read(res.data);
  };

  for (const name of Object.keys(CONNECTIONS)) {
    it(`${name}: first: null is the default page size, and a walk with it ends`, async () => {
      const omitted = await page(name, undefined);
      const nulled = await page(name, null);
      expect(nulled).toEqual(omitted);
      expect(nulled.edges).toHaveLength(20);
      expect(nulled.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      const seen = [...nulled.edges];
      let after = nulled.pageInfo.endCursor;
      for (let i = 0; i < 10; i += 1) {
        const next = await page(name, null, after);
        seen.push(...next.edges);
        expect(next.pageInfo.hasPreviousPage).toBe(true);
        if (!next.pageInfo.hasNextPage) break;
        after = next.pageInfo.endCursor;
      }
      expect(new Set(seen.map((e) => e.node.id)).size).toBe(seen.length);
      expect(seen.length).toBeGreaterThanOrEqual(COUNT);
    });
  }

  describe('Person.activities backward: last/before', () => {
    const timeline = async (args: Record<string, unknown>) => {
      const res = await server.gql(TIMELINE, { person: vars.person, ...args });
      expect(res.errors).toBeUndefined();
      return res.data.person.activities;
    };

    it('takes the last N, still newest first, with hasPreviousPage saying there is more before them', async () => {
      const all = await timeline({ first: 100 });
      expect(all.edges).toHaveLength(COUNT);
      const last = await timeline({ last: 5 });
      expect(last.edges).toEqual(all.edges.slice(-5));
      expect(last.pageInfo).toEqual({
        hasPreviousPage: true,
        hasNextPage: false,
        startCursor: all.edges[COUNT - 5].cursor,
        endCursor: all.edges[COUNT - 1].cursor,
      });
      const everything = await timeline({ last: 100 });
      expect(everything.edges).toEqual(all.edges);
      expect(everything.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: false });
    });

    it('walks backward from the end with before, each once, to the start, and agrees with the forward walk', async () => {
      const all = (await timeline({ first: 100 })).edges;
      const pages: any[][] = [];
      let before: string | null = null;
      for (let i = 0; i < 20; i += 1) {
        const result: any = await timeline({ last: 4, before });
        pages.unshift(result.edges);
        expect(result.pageInfo.hasNextPage).toBe(before !== null);
        if (!result.pageInfo.hasPreviousPage) break;
        before = result.pageInfo.startCursor;
      }
      expect(pages.flat()).toEqual(all);
      expect(pages).toHaveLength(Math.ceil(COUNT / 4));
    });

    it('pages between two cursors, from either end', async () => {
      const all = (await timeline({ first: 100 })).edges;
      const window = { after: all[2].cursor, before: all[12].cursor };
      expect((await timeline({ ...window, first: 3 })).edges).toEqual(all.slice(3, 6));
      expect((await timeline({ ...window, last: 3 })).edges).toEqual(all.slice(9, 12));
      const whole = await timeline({ ...window, last: 50 });
      expect(whole.edges).toEqual(all.slice(3, 12));
      expect(whole.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    });

    it('refuses first with last, a malformed before, and a last out of range', async () => {
      const refuse = async (args: Record<string, unknown>, field: string[]) => {
        const res = await server.gql(TIMELINE, { person: vars.person, ...args });
        expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      };
      await refuse({ first: 2, last: 2 }, ['last']);
      await refuse({ last: 2, before: 'nope' }, ['before']);
      await refuse({ last: 0 }, ['last']);
      await refuse({ last: 101 }, ['last']);
      // last: null is no backward page: the default forward one.
      expect((await timeline({ last: null })).edges).toHaveLength(20);
    });
  });

  it('costs a connection by first, else last, else the default page', async () => {
    const deep = `query($person: ID!, $n: Int) { person(id: $person) {
      a: activities(first: $n) { edges { node { id person { activities(first: 100) { edges { node { id } } } } } } }
    } }`;
    const refused = await server.gql(deep, { person: vars.person, n: 100 });
    expect(refused.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const backward = await server.gql(deep.replace('a: activities(first: $n)', 'a: activities(last: $n)'), {
      person: vars.person,
      n: 100,
    });
    expect(backward.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const small = await server.gql(deep.replace('a: activities(first: $n)', 'a: activities(last: $n)'), {
      person: vars.person,
      n: 1,
    });
    expect(small.errors).toBeUndefined();
  });
});
