import 'reflect-metadata';
import { getMetadataStorage } from 'type-graphql';
import '../src/graphql/schema';
import { record, recordManyMutation, recordMutation } from './helpers/record';
import { NO_RATE_LIMITS, startTestServer, subscribe, type TestServer } from './helpers/server';

/** The scope each root operation needs; null: any valid key. Every operation of the API must be listed. */
const REQUIRED_SCOPE: Record<string, string | null> = {
  viewer: null,
  apiKeys: 'MANAGE',
  createApiKey: 'MANAGE',
  revokeApiKey: 'MANAGE',
  recordChatActivity: 'RECORD',
  recordChatActivities: 'RECORD',
  identifyVisitor: 'RECORD',
  updateConversation: 'RECORD',
  updateWorkspaceSettings: 'MANAGE',
  identify: 'RECORD',
  identityVerificationSettings: 'READ',
  updateIdentityVerification: 'MANAGE',
  rotateIdentitySecret: 'MANAGE',
  setApiKeyOrigins: 'MANAGE',
  person: 'READ',
  personByEmail: 'READ',
  personByVisitor: 'READ',
  people: 'READ',
  activity: 'READ',
  salesInsightSettings: 'READ',
  deliveries: 'READ',
  updateSalesInsightSettings: 'MANAGE',
  retryDelivery: 'MANAGE',
  activityRecorded: 'SUBSCRIBE',
  smartList: 'READ',
  smartLists: 'READ',
  createSmartList: 'MANAGE',
  updateSmartList: 'MANAGE',
  deleteSmartList: 'MANAGE',
  campaign: 'READ',
  campaigns: 'READ',
  createCampaign: 'MANAGE',
  updateCampaign: 'MANAGE',
  activateCampaign: 'MANAGE',
  deactivateCampaign: 'MANAGE',
  deleteCampaign: 'MANAGE',
  campaignTriggered: 'SUBSCRIBE',
  chats: 'READ',
  agents: 'READ',
  documents: 'READ',
  // Any valid key; then each id as its type's own query (test/node.spec.ts has that matrix).
  node: null,
  nodes: null,
};

describe('access to every operation', () => {
  it('puts every root query, mutation and subscription behind @Authorized with the documented scope', () => {
    const storage = getMetadataStorage();
    const roots = [...storage.queries, ...storage.mutations, ...storage.subscriptions];
    const unknown = roots.map((r) => r.schemaName).filter((name) => !(name in REQUIRED_SCOPE));
    // A new operation must be added to REQUIRED_SCOPE (and so to this test's matrix) before it ships.
    expect(unknown).toEqual([]);
    for (const root of roots) {
      const authorized = storage.authorizedFields.find(
        (f) => (f.target === root.target || f.target.name === root.target.name) && f.fieldName === root.methodName,
      );
      expect({ operation: root.schemaName, guarded: Boolean(authorized) }).toEqual({
        operation: root.schemaName,
        guarded: true,
      });
      const scope = REQUIRED_SCOPE[root.schemaName];
      expect({ operation: root.schemaName, roles: authorized!.roles }).toEqual({
        operation: root.schemaName,
        roles: scope ? [scope] : [],
      });
    }
  });
});

const chat = { kind: 'DIALOGUE', id: 'c', name: 'C' };
const OPERATIONS: Array<{
  name: string;
  query: string;
  variables: (ids: Ids) => Record<string, unknown>;
  read?: (data: any) => unknown;
}> = [
  { name: 'viewer', query: '{ viewer { workspace { id } } }', variables: () => ({}) },
  { name: 'apiKeys', query: '{ apiKeys { id } }', variables: () => ({}) },
  {
    name: 'createApiKey',
    // Scopes the granting key holds: a MANAGE key grants MANAGE (granting more is FORBIDDEN, auth.spec.ts).
    query: 'mutation { createApiKey(name: "k", scopes: [MANAGE]) { secret } }',
    variables: () => ({}),
  },
  {
    name: 'revokeApiKey',
    query: 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }',
    variables: (ids) => ({ id: ids.keyToRevoke }),
  },
  {
    name: 'recordChatActivity',
    query: recordMutation('outcome'),
    variables: () => ({ input: { type: 'GOAL_ACHIEVED', goal: 'g', visitorId: 'matrix', sessionId: 's', chat } }),
  },
  {
    name: 'recordChatActivities',
    query: recordManyMutation('index'),
    variables: () => ({ inputs: [{ type: 'GOAL_ACHIEVED', goal: 'g', visitorId: 'matrix', sessionId: 's', chat }] }),
  },
  {
    name: 'identifyVisitor',
    query: 'mutation { identifyVisitor(input: { visitorId: "matrix-2", email: "m@example.com" }) { id } }',
    variables: () => ({}),
  },
  {
    name: 'identify',
    query:
      'mutation { identify(input: { visitorId: "matrix-3", email: "m3@example.com" }) { verified person { id } } }',
    variables: () => ({}),
  },
  {
    name: 'identityVerificationSettings',
    query: '{ identityVerificationSettings { mode hasSecret } }',
    variables: () => ({}),
  },
  {
    name: 'updateIdentityVerification',
    query: 'mutation { updateIdentityVerification(mode: OPTIONAL) { mode } }',
    variables: () => ({}),
  },
  {
    name: 'rotateIdentitySecret',
    query: 'mutation { rotateIdentitySecret { settings { hasSecret } } }',
    variables: () => ({}),
  },
  {
    name: 'setApiKeyOrigins',
    query: 'mutation($id: ID!) { setApiKeyOrigins(id: $id, allowedOrigins: null) { id } }',
    variables: (ids) => ({ id: ids.keyToRevoke }),
  },
  {
    name: 'person',
    query: 'query($id: ID!) { person(id: $id) { id } }',
    variables: (ids) => ({ id: ids.person }),
    read: (d) => d.person,
  },
  {
    name: 'personByEmail',
    query: '{ personByEmail(email: "owner@example.com") { id } }',
    variables: () => ({}),
    read: (d) => d.personByEmail,
  },
  {
    name: 'personByVisitor',
    query: '{ personByVisitor(visitorId: "owner-visitor") { id } }',
    variables: () => ({}),
    read: (d) => d.personByVisitor,
  },
  {
    name: 'people',
    query: '{ people { totalCount edges { node { id } } } }',
    variables: () => ({}),
    read: (d) => d.people.edges,
  },
  {
    name: 'activity',
    query: 'query($id: ID!) { activity(id: $id) { id } }',
    variables: (ids) => ({ id: ids.activity }),
    read: (d) => d.activity,
  },
  {
    name: 'smartList',
    query: 'query($id: ID!) { smartList(id: $id) { id memberCount members { edges { node { id } } } } }',
    variables: (ids) => ({ id: ids.smartList }),
    read: (d) => d.smartList,
  },
  {
    name: 'smartLists',
    query: '{ smartLists { edges { node { id } } } }',
    variables: () => ({}),
    read: (d) => d.smartLists.edges,
  },
  {
    name: 'createSmartList',
    query: 'mutation { createSmartList(input: { name: "matrix-created", filters: [{ activity: ENGAGED }] }) { id } }',
    variables: () => ({}),
  },
  {
    name: 'updateSmartList',
    query:
      'mutation($id: ID!) { updateSmartList(id: $id, input: { name: "matrix", filters: [{ activity: GOAL_ACHIEVED }] }) { id } }',
    variables: (ids) => ({ id: ids.smartList }),
  },
  {
    name: 'deleteSmartList',
    query: 'mutation($id: ID!) { deleteSmartList(id: $id) }',
    variables: (ids) => ({ id: ids.listToDelete }),
  },
  {
    name: 'campaign',
    query: 'query($id: ID!) { campaign(id: $id) { id runs { edges { node { id person { id } activity { id } } } } } }',
    variables: (ids) => ({ id: ids.campaign }),
    read: (d) => d.campaign,
  },
  {
    name: 'campaigns',
    query: '{ campaigns { edges { node { id } } } }',
    variables: () => ({}),
    read: (d) => d.campaigns.edges,
  },
  {
    name: 'createCampaign',
    query: 'mutation { createCampaign(input: { name: "m", triggers: [{ activity: ENGAGED }] }) { id } }',
    variables: () => ({}),
  },
  {
    name: 'updateCampaign',
    query:
      'mutation($id: ID!) { updateCampaign(id: $id, input: { name: "matrix", triggers: [{ activity: GOAL_ACHIEVED }] }) { id } }',
    variables: (ids) => ({ id: ids.campaign }),
  },
  {
    name: 'activateCampaign',
    query: 'mutation($id: ID!) { activateCampaign(id: $id) { id } }',
    variables: (ids) => ({ id: ids.campaign }),
  },
  {
    name: 'deactivateCampaign',
    query: 'mutation($id: ID!) { deactivateCampaign(id: $id) { id } }',
    variables: (ids) => ({ id: ids.campaignToDeactivate }),
  },
  {
    name: 'deleteCampaign',
    query: 'mutation($id: ID!) { deleteCampaign(id: $id) }',
    variables: (ids) => ({ id: ids.campaignToDelete }),
  },
  { name: 'salesInsightSettings', query: '{ salesInsightSettings { enabled } }', variables: () => ({}) },
  {
    name: 'deliveries',
    query: '{ deliveries { edges { node { id } } } }',
    variables: () => ({}),
    read: (d) => d.deliveries.edges,
  },
  {
    name: 'updateSalesInsightSettings',
    query: 'mutation { updateSalesInsightSettings(input: { enabled: false }) { enabled } }',
    variables: () => ({}),
  },
  {
    name: 'updateConversation',
    // No such engagement: an allowed key gets NOT_FOUND, never an access error.
    query:
      'mutation { updateConversation(input: { visitorId: "matrix-4", sessionId: "s", chat: "c", status: COMPLETED }) { outcome } }',
    variables: () => ({}),
  },
  {
    name: 'updateWorkspaceSettings',
    query: 'mutation { updateWorkspaceSettings(input: { timeZone: "UTC" }) { timeZone } }',
    variables: () => ({}),
  },
  {
    name: 'chats',
    query: '{ chats { edges { node { id widgetId kind name } } } }',
    variables: () => ({}),
    read: (d) => d.chats.edges,
  },
  {
    name: 'agents',
    query: '{ agents(first: null) { edges { node { id widgetId name } } } }',
    variables: () => ({}),
    read: (d) => d.agents.edges,
  },
  {
    name: 'documents',
    query: '{ documents(search: "") { edges { node { id widgetId name url } } } }',
    variables: () => ({}),
    read: (d) => d.documents.edges,
  },
  {
    name: 'retryDelivery',
    query: 'mutation($id: ID!) { retryDelivery(id: $id) { id } }',
    variables: (ids) => ({ id: ids.delivery }),
  },
];

/** A refused field is null: the whole data for a non-null root field, the field itself for a nullable one. */
function expectNoData(data: Record<string, unknown> | null | undefined): void {
  expect(data == null || Object.values(data).every((value) => value === null)).toBe(true);
}

interface Ids {
  person: string;
  activity: string;
  keyToRevoke: string;
  smartList: string;
  listToDelete: string;
  campaign: string;
  campaignToDeactivate: string;
  campaignToDelete: string;
  delivery: string;
}

describe('the scope × operation × workspace matrix', () => {
  let server: TestServer;
  let ids: Ids;
  const keys: Record<string, string> = {};
  let otherAdmin: string;

  beforeAll(async () => {
    server = await startTestServer({
      config: { rateLimits: { ...NO_RATE_LIMITS, subscriptionsPerConnection: 100 } },
    });
    for (const scope of ['RECORD', 'READ', 'SUBSCRIBE', 'MANAGE'])
      keys[scope] = await server.createKey(server.workspaceId, [scope]);
    // Sales Insight on (to a port nothing listens on) so the recorded activity leaves a delivery to read and retry.
    const settings = await server.gql(
      'mutation($input: SalesInsightSettingsInput!) { updateSalesInsightSettings(input: $input) { enabled } }',
      {
        input: {
          enabled: true,
          endpointUrl: 'http://127.0.0.1:9/hook',
          signingSecret: 'matrix-signing-secret',
          activityTypes: ['GOAL_ACHIEVED'],
        },
      },
    );
    expect(settings.errors).toBeUndefined();
    const recorded = await record(server, {
      type: 'GOAL_ACHIEVED',
      goal: 'g',
      visitorId: 'owner-visitor',
      sessionId: 's',
      chat,
      person: { email: 'owner@example.com' },
    });
    const created = await server.gql('mutation { createApiKey(name: "victim", scopes: [READ]) { apiKey { id } } }');
    const campaign = async (name: string) => {
      const id = (
        await server.gql(
          `mutation { createCampaign(input: { name: "${name}", triggers: [{ activity: GOAL_ACHIEVED }] }) { id } }`,
        )
      ).data.createCampaign.id;
      await server.gql('mutation($id: ID!) { activateCampaign(id: $id) { id } }', { id });
      return id;
    };
    const list = async (name: string) =>
      (
        await server.gql(
          `mutation { createSmartList(input: { name: "${name}", filters: [{ activity: GOAL_ACHIEVED }] }) { id } }`,
        )
      ).data.createSmartList.id;
    const matrixCampaign = await campaign('matrix');
    // A run for the campaign's runs to show (and another workspace never to see).
    await record(server, { type: 'GOAL_ACHIEVED', goal: 'g', visitorId: 'owner-visitor', sessionId: 's', chat });
    const deliveries = await server.gql('{ deliveries { edges { node { id } } } }');
    ids = {
      delivery: deliveries.data.deliveries.edges[0].node.id,
      campaign: matrixCampaign,
      campaignToDeactivate: await campaign('to deactivate'),
      campaignToDelete: await campaign('to delete'),
      smartList: await list('matrix'),
      listToDelete: await list('to delete'),
      person: recorded.activity.person.id,
      activity: recorded.activity.id,
      keyToRevoke: created.data.createApiKey.apiKey.id,
    };
    otherAdmin = (await server.createWorkspace()).adminKey;
  });
  afterAll(() => server.stop());

  it('covers every operation listed in REQUIRED_SCOPE (subscriptions over WebSocket below)', () => {
    // node and nodes: per type of id, in test/node.spec.ts.
    const elsewhere = ['activityRecorded', 'campaignTriggered', 'node', 'nodes'];
    expect([...OPERATIONS.map((o) => o.name), ...elsewhere].sort()).toEqual(Object.keys(REQUIRED_SCOPE).sort());
  });

  for (const operation of OPERATIONS) {
    for (const scope of ['RECORD', 'READ', 'SUBSCRIBE', 'MANAGE']) {
      const required = REQUIRED_SCOPE[operation.name];
      const allowed = required === null || required === scope;
      it(`${operation.name} with a ${scope} key is ${allowed ? 'allowed' : 'FORBIDDEN'}`, async () => {
        const res = await server.gql(operation.query, operation.variables(ids), keys[scope]);
        if (allowed) {
          // revokeApiKey may find the key already revoked by another allowed run: still not an access error.
          expect(res.errors?.map((e) => e.extensions?.code) ?? []).not.toContain('FORBIDDEN');
          expect(res.errors?.map((e) => e.extensions?.code) ?? []).not.toContain('UNAUTHENTICATED');
        } else {
          expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
          expectNoData(res.data);
        }
      });
    }
    it(`${operation.name} without a key is UNAUTHENTICATED`, async () => {
      const res = await server.gql(operation.query, operation.variables(ids), null);
      expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expectNoData(res.data);
    });
    if (operation.read) {
      it(`${operation.name} never shows another workspace's data`, async () => {
        const res = await server.gql(operation.query, operation.variables(ids), otherAdmin);
        expect(res.errors).toBeUndefined();
        const value = operation.read!(res.data);
        expect(Array.isArray(value) ? value : value === null ? [] : [value]).toEqual([]);
      });
    }
  }

  it("updateConversation cannot touch another workspace's engagement, nor updateWorkspaceSettings its time zone", async () => {
    await record(server, { type: 'ENGAGED', visitorId: 'owner-visitor', sessionId: 's-engaged', chat });
    const update =
      'mutation { updateConversation(input: { visitorId: "owner-visitor", sessionId: "s-engaged", chat: "c", status: COMPLETED }) { outcome } }';
    expect((await server.gql(update, {}, otherAdmin)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    await server.gql(
      'mutation { updateWorkspaceSettings(input: { timeZone: "Asia/Tokyo" }) { timeZone } }',
      {},
      otherAdmin,
    );
    expect((await server.gql('{ viewer { workspace { timeZone } } }')).data.viewer.workspace.timeZone).toBe('UTC');
    expect((await server.gql(update)).data.updateConversation.outcome).toBe('UPDATED');
  });

  it("updateSmartList and deleteSmartList cannot touch another workspace's list", async () => {
    for (const operation of OPERATIONS.filter((o) => o.name === 'updateSmartList' || o.name === 'deleteSmartList')) {
      const res = await server.gql(operation.query, { id: ids.smartList }, otherAdmin);
      expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    const mine = await server.gql('query($id: ID!) { smartList(id: $id) { name memberCount } }', { id: ids.smartList });
    expect(mine.data.smartList.name).toBe('matrix');
    expect(mine.data.smartList.memberCount).toBeGreaterThan(0);
  });

  it.each([
    [
      'identifyVisitor',
      'mutation { identifyVisitor(input: { visitorId: "matrix-3", email: "owner@example.com" }) { id FIELD } }',
      (d: any) => d?.identifyVisitor,
    ],
    [
      'recordChatActivity',
      `mutation { recordChatActivity(input: { type: GOAL_ACHIEVED, goal: "g", visitorId: "owner-visitor", sessionId: "s2", chat: { kind: DIALOGUE, id: "c", name: "C" } }) { activity { person { id FIELD } } } }`,
      (d: any) => d?.recordChatActivity?.activity?.person,
    ],
  ])("a RECORD key cannot read a person's history through %s", async (_name, template, pick) => {
    for (const field of ['activities { edges { node { id } } }', 'smartLists { id }', 'visitorIds']) {
      const res = await server.gql(template.replace('FIELD', field), {}, keys.RECORD);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const person = pick(res.data);
      expect(person == null || Object.values(person).every((v) => v === null || typeof v === 'string')).toBe(true);
    }
    const withRead = await server.gql(
      'query($id: ID!) { person(id: $id) { activities { edges { node { id } } } smartLists { id } visitorIds } }',
      { id: ids.person },
      keys.READ,
    );
    expect(withRead.errors).toBeUndefined();
    expect(withRead.data.person.smartLists.map((l: { id: string }) => l.id)).toContain(ids.smartList);
  });

  it("revokeApiKey cannot touch another workspace's key", async () => {
    const created = await server.gql(
      'mutation { createApiKey(name: "mine", scopes: [READ]) { secret apiKey { id } } }',
    );
    const res = await server.gql(
      'mutation($id: ID!) { revokeApiKey(id: $id) { id } }',
      { id: created.data.createApiKey.apiKey.id },
      otherAdmin,
    );
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(
      (await server.gql('{ viewer { apiKey { id } } }', {}, created.data.createApiKey.secret)).errors,
    ).toBeUndefined();
  });

  it.each(['RECORD', 'READ', 'MANAGE'])(
    'campaignTriggered with a %s key is FORBIDDEN, with SUBSCRIBE allowed, and NOT_FOUND from another workspace',
    async (scope) => {
      const query = 'subscription($id: ID!) { campaignTriggered(campaignId: $id) { id } }';
      const [denied] = await subscribe(server.wsClient(keys[scope]), query, { id: ids.campaign }).waitFor(1);
      expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const [foreign] = await subscribe(server.wsClient(otherAdmin), query, { id: ids.campaign }).waitFor(1);
      expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      const allowed = subscribe(server.wsClient(keys.SUBSCRIBE), query, { id: ids.campaign });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(allowed.error).toBeUndefined();
      expect(allowed.received).toEqual([]);
      allowed.unsubscribe();
    },
  );

  it.each(['RECORD', 'READ', 'MANAGE'])(
    'activityRecorded with a %s key is FORBIDDEN, with SUBSCRIBE allowed',
    async (scope) => {
      const denied = subscribe(server.wsClient(keys[scope]), 'subscription { activityRecorded { id } }');
      const [result] = await denied.waitFor(1);
      expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const allowed = subscribe(server.wsClient(keys.SUBSCRIBE), 'subscription { activityRecorded { id } }');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(allowed.error).toBeUndefined();
      expect(allowed.received).toEqual([]);
      allowed.unsubscribe();
    },
  );
});
