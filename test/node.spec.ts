import { globalId, rawId } from './helpers/ids';
import { activeCampaign, unique } from './helpers/campaign-fixtures';
import { record } from './helpers/record';
import { startTestServer, subscribe, type TestServer } from './helpers/server';

/** The scope each Node type's own query needs (null: any valid key), as node and nodes must apply it. */
const SCOPE: Record<string, string | null> = {
  Person: 'READ',
  GoalAchievedActivity: 'READ',
  AgentEngagedActivity: 'READ',
  DocumentInteractedActivity: 'READ',
  MeetingScheduledActivity: 'READ',
  LinkClickedActivity: 'READ',
  ChatTriggeredActivity: 'READ',
  ChatEngagedActivity: 'READ',
  SmartList: 'READ',
  Campaign: 'READ',
  CampaignRun: 'READ',
  Delivery: 'READ',
  ApiKey: 'MANAGE',
  Workspace: null,
  Chat: 'READ',
  Agent: 'READ',
  Document: 'READ',
};

const NODE = `query($id: ID!) { node(id: $id) { __typename id
  ... on Person { email }
  ... on Activity { type chat { widgetId name } }
  ... on SmartList { name }
  ... on Campaign { name }
  ... on CampaignRun { cursor }
  ... on Delivery { deliveryKind: kind }
  ... on ApiKey { name }
  ... on Workspace { name }
  ... on Chat { widgetId kind name }
  ... on Agent { widgetId name }
  ... on Document { widgetId name url }
} }`;
const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`;

const chat = { kind: 'DIALOGUE', id: 'node-chat', name: 'Node chat' };

describe('Relay object identification: node and nodes', () => {
  let server: TestServer;
  /** One global id per Node type, each fetched through the type's own field. */
  const ids: Record<string, string> = {};
  const keys: Record<string, string> = {};
  let otherAdmin: string;

  beforeAll(async () => {
    server = await startTestServer({
      config: { rateLimits: { perKeyPerSecond: 0, unauthenticatedPerIpPerMinute: 0, subscriptionsPerConnection: 100 } },
    });
    for (const scope of ['RECORD', 'READ', 'SUBSCRIBE', 'MANAGE'])
      keys[scope] = await server.createKey(server.workspaceId, [scope]);
    otherAdmin = (await server.createWorkspace()).adminKey;
    await server.gql(
      'mutation($input: SalesInsightSettingsInput!) { updateSalesInsightSettings(input: $input) { enabled } }',
      {
        input: {
          enabled: true,
          endpointUrl: 'http://127.0.0.1:9/hook',
          signingSecret: 'node-signing-secret',
          activityTypes: ['GOAL_ACHIEVED'],
        },
      },
    );
    const campaign = await activeCampaign(server);
    const visitor = unique('node-visitor');
    const base = { visitorId: visitor, sessionId: 's', chat };
    const meetingAt = new Date(Date.now() + 86_400_000).toISOString();
    for (const input of [
      { type: 'TRIGGERED' },
      { type: 'ENGAGED', prompt: 'FREE_TEXT' },
      { type: 'ENGAGED_WITH_AGENT', agent: { id: 'node-agent', name: 'Agent' } },
      { type: 'INTERACTED_WITH_DOCUMENT', document: { id: 'node-doc', name: 'Doc', url: 'https://example.com/d' } },
      { type: 'MEETING_SCHEDULED', meeting: { startsAt: meetingAt, agent: { id: 'node-agent', name: 'Agent' } } },
      { type: 'LINK_CLICKED', link: { url: 'https://example.com/l', text: 'L' } },
      { type: 'GOAL_ACHIEVED', goal: 'g', person: { email: 'node@example.com' } },
    ]) {
      const recorded = await record(server, { ...base, ...input });
      ids[recorded.activity.type === 'GOAL_ACHIEVED' ? 'GoalAchievedActivity' : typeName(recorded.activity.type)] =
        recorded.activity.id;
      ids.Person = recorded.activity.person.id;
    }
    const read = await server.gql(
      `query($campaign: ID!) {
        viewer { workspace { id } apiKey { id } }
        campaign(id: $campaign) { id runs(first: 1) { edges { node { id } } } }
        deliveries(first: 1) { edges { node { id } } }
        chats { edges { node { id } } } agents { edges { node { id } } } documents { edges { node { id } } }
      }`,
      { campaign },
    );
    expect(read.errors).toBeUndefined();
    const list = await server.gql(
      'mutation { createSmartList(input: { name: "node list", filters: [{ activity: GOAL_ACHIEVED }] }) { id } }',
    );
    Object.assign(ids, {
      Workspace: read.data.viewer.workspace.id,
      ApiKey: read.data.viewer.apiKey.id,
      SmartList: list.data.createSmartList.id,
      Campaign: read.data.campaign.id,
      CampaignRun: read.data.campaign.runs.edges[0].node.id,
      Delivery: read.data.deliveries.edges[0].node.id,
      Chat: read.data.chats.edges[0].node.id,
      Agent: read.data.agents.edges[0].node.id,
      Document: read.data.documents.edges[0].node.id,
    });
  });
  afterAll(() => server.stop());

  it('has an id of every Node type, each naming its type', () => {
    expect(Object.keys(ids).sort()).toEqual(Object.keys(SCOPE).sort());
    const types = Object.entries(ids).map(([type, id]) => [
      type,
      Buffer.from(id, 'base64url').toString('utf8').split(':')[0],
    ]);
    for (const [type, encoded] of types) expect(encoded).toBe(type.endsWith('Activity') ? 'Activity' : type);
  });

  it('lists every type that implements Node, as the schema says', async () => {
    const res = await server.gql('{ __type(name: "Node") { possibleTypes { name } } }');
    expect(res.data.__type.possibleTypes.map((t: { name: string }) => t.name).sort()).toEqual(
      Object.keys(SCOPE).sort(),
    );
  });

  for (const type of Object.keys(SCOPE)) {
    for (const scope of ['RECORD', 'READ', 'SUBSCRIBE', 'MANAGE']) {
      const required = SCOPE[type];
      const allowed = required === null || required === scope;
      it(`node(${type}) with a ${scope} key is ${allowed ? 'the object' : 'FORBIDDEN'}`, async () => {
        const res = await server.gql(NODE, { id: ids[type] }, keys[scope]);
        if (allowed) {
          expect(res.errors).toBeUndefined();
          expect(res.data.node).toMatchObject({ __typename: type, id: ids[type] });
        } else {
          expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
          expect(res.data?.node ?? null).toBeNull();
        }
      });
    }
    it(`node(${type}) from another workspace is null, never data`, async () => {
      const res = await server.gql(NODE, { id: ids[type] }, otherAdmin);
      expect(res.errors).toBeUndefined();
      expect(res.data.node).toBeNull();
    });
    it(`node(${type}) without a key is UNAUTHENTICATED`, async () => {
      const res = await server.gql(NODE, { id: ids[type] }, null);
      expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    });
  }

  it("answers node with the same object as the type's own field", async () => {
    const res = await server.gql(NODE, { id: ids.Chat });
    expect(res.data.node).toEqual({
      __typename: 'Chat',
      id: ids.Chat,
      widgetId: 'node-chat',
      kind: 'DIALOGUE',
      name: 'Node chat',
    });
    const person = await server.gql(
      'query($id: ID!) { node(id: $id) { ... on Person { email activities(first: 1) { edges { node { id } } } } } }',
      {
        id: ids.Person,
      },
    );
    expect(person.data.node.email).toBe('node@example.com');
    expect(person.data.node.activities.edges[0].node.id).toBe(ids.GoalAchievedActivity);
  });

  it('answers nodes in order, null for what is not found, one error per refused item', async () => {
    const all = Object.values(ids);
    const res = await server.gql(NODES, { ids: [...all, 'not-a-global-id', globalId('Person', 'no-such-person')] });
    expect(res.errors).toBeUndefined();
    expect(res.data.nodes.map((n: any) => n?.id ?? null)).toEqual([...all, null, null]);

    const mixed = await server.gql(NODES, { ids: [ids.Workspace, ids.Person, ids.ApiKey] }, keys.READ);
    expect(mixed.data.nodes).toEqual([
      { __typename: 'Workspace', id: ids.Workspace },
      { __typename: 'Person', id: ids.Person },
      null,
    ]);
    expect(mixed.errors).toHaveLength(1);
    expect(mixed.errors![0]).toMatchObject({ path: ['nodes', 2], extensions: { code: 'FORBIDDEN' } });

    const elsewhere = await server.gql(NODES, { ids: all }, otherAdmin);
    expect(elsewhere.errors).toBeUndefined();
    expect(elsewhere.data.nodes.every((n: unknown) => n === null)).toBe(true);
  });

  it('bounds nodes to 100 ids', async () => {
    const hundred = Array.from({ length: 100 }, () => ids.Person);
    expect((await server.gql(NODES, { ids: hundred })).data.nodes).toHaveLength(100);
    const res = await server.gql(NODES, { ids: [...hundred, ids.Person] });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['ids'] });
  });

  it('gives node an id of another type, or garbage, as null', async () => {
    for (const id of ['', 'x', globalId('Nope', '1'), globalId('Campaign', rawId(ids.Person)), `${ids.Person}=`]) {
      const res = await server.gql(NODE, { id });
      expect({ id, errors: res.errors, node: res.data.node }).toEqual({ id, errors: undefined, node: null });
    }
  });

  it('takes global ids and raw ids in every argument that names an object', async () => {
    const both = (id: string) => [id, rawId(id)];
    for (const id of both(ids.Person)) {
      const res = await server.gql(
        `query($id: ID!, $list: ID!) { person(id: $id) { id } smartList(id: $list) { includes(personId: $id) } }`,
        { id, list: ids.SmartList },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ person: { id: ids.Person }, smartList: { includes: true } });
    }
    for (const [field, type] of [
      ['activity', 'GoalAchievedActivity'],
      ['smartList', 'SmartList'],
      ['campaign', 'Campaign'],
    ]) {
      for (const id of both(ids[type])) {
        const res = await server.gql(`query($id: ID!) { ${field}(id: $id) { id } }`, { id });
        expect(res.data[field]).toEqual({ id: ids[type] });
      }
      // An id of another type names nothing.
      const wrong = await server.gql(`query($id: ID!) { ${field}(id: $id) { id } }`, { id: ids.Person });
      expect(wrong.data[field]).toBeNull();
    }
    for (const id of both(ids.Campaign)) {
      const res = await server.gql(
        'mutation($id: ID!) { deactivateCampaign(id: $id) { id active } activateCampaign(id: $id) { id active } }',
        {
          id,
        },
      );
      expect(res.data).toEqual({
        deactivateCampaign: { id: ids.Campaign, active: false },
        activateCampaign: { id: ids.Campaign, active: true },
      });
    }
    const retried = await server.gql('mutation($id: ID!) { retryDelivery(id: $id) { id } }', { id: ids.Delivery });
    expect(retried.errors).toBeUndefined();
    expect(retried.data.retryDelivery.id).toBe(ids.Delivery);
    const wrongDelivery = await server.gql('mutation($id: ID!) { retryDelivery(id: $id) { id } }', { id: ids.Person });
    expect(wrongDelivery.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const created = await server.gql('mutation { createApiKey(name: "to revoke", scopes: [READ]) { apiKey { id } } }');
    const revoked = await server.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }', {
      id: created.data.createApiKey.apiKey.id,
    });
    expect(revoked.data.revokeApiKey).toMatchObject({
      id: created.data.createApiKey.apiKey.id,
      revokedAt: expect.any(String),
    });
  });

  it('takes global ids in subscription arguments', async () => {
    const client = server.wsClient();
    const campaign = await activeCampaign(server);
    const visitor = unique('node-sub');
    const first = await record(server, { type: 'GOAL_ACHIEVED', goal: 'g', visitorId: visitor, sessionId: 's', chat });
    const activities = subscribe(
      client,
      'subscription($p: ID) { activityRecorded(personId: $p) { id person { id } } }',
      {
        p: first.activity.person.id,
      },
    );
    const runs = subscribe(
      client,
      'subscription($c: ID!) { campaignTriggered(campaignId: $c) { id campaign { id } } }',
      {
        c: campaign,
      },
    );
    // Both are live once each has heard one (retry until then: subscribing is asynchronous).
    let recorded: string | null = null;
    for (let i = 0; i < 50 && (activities.received.length === 0 || runs.received.length === 0); i += 1) {
      recorded = (await record(server, { type: 'GOAL_ACHIEVED', goal: 'g', visitorId: visitor, sessionId: 's', chat }))
        .activity.id;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [activity] = await activities.waitFor(1);
    const [run] = await runs.waitFor(1);
    expect(activity.data!.activityRecorded.person.id).toBe(first.activity.person.id);
    expect(run.data!.campaignTriggered.campaign.id).toBe(campaign);
    expect(recorded).not.toBeNull();
  });
});

function typeName(type: string): string {
  return {
    TRIGGERED: 'ChatTriggeredActivity',
    ENGAGED: 'ChatEngagedActivity',
    ENGAGED_WITH_AGENT: 'AgentEngagedActivity',
    INTERACTED_WITH_DOCUMENT: 'DocumentInteractedActivity',
    GOAL_ACHIEVED: 'GoalAchievedActivity',
    MEETING_SCHEDULED: 'MeetingScheduledActivity',
    LINK_CLICKED: 'LinkClickedActivity',
  }[type]!;
}
