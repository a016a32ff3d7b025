import 'reflect-metadata';
import { getMetadataStorage } from 'type-graphql';
import '../src/graphql/schema';
import { startTestServer, subscribe, type TestServer } from './helpers/server';

/** The scope each root operation needs; null: any valid key. Every operation of the API must be listed. */
const REQUIRED_SCOPE: Record<string, string | null> = {
  viewer: null,
  apiKeys: 'MANAGE',
  createApiKey: 'MANAGE',
  revokeApiKey: 'MANAGE',
  recordChatActivity: 'RECORD',
  recordChatActivities: 'RECORD',
  identifyVisitor: 'RECORD',
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
        (f) => (f.target === root.target || (f.target as Function).name === (root.target as Function).name) && f.fieldName === root.methodName,
      );
      expect({ operation: root.schemaName, guarded: Boolean(authorized) }).toEqual({ operation: root.schemaName, guarded: true });
      const scope = REQUIRED_SCOPE[root.schemaName];
      expect({ operation: root.schemaName, roles: authorized!.roles }).toEqual({ operation: root.schemaName, roles: scope ? [scope] : [] });
    }
  });
});

const chat = { kind: 'DIALOGUE', id: 'c', name: 'C' };
const OPERATIONS: Array<{ name: string; query: string; variables: (ids: Ids) => Record<string, unknown>; read?: (data: any) => unknown }> = [
  { name: 'viewer', query: '{ viewer { workspace { id } } }', variables: () => ({}) },
  { name: 'apiKeys', query: '{ apiKeys { id } }', variables: () => ({}) },
  { name: 'createApiKey', query: 'mutation { createApiKey(name: "k", scopes: [READ]) { secret } }', variables: () => ({}) },
  { name: 'revokeApiKey', query: 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', variables: (ids) => ({ id: ids.keyToRevoke }) },
  {
    name: 'recordChatActivity',
    query: 'mutation($input: RecordChatActivityInput!) { recordChatActivity(input: $input) { outcome } }',
    variables: () => ({ input: { type: 'GOAL_ACHIEVED', goal: 'g', visitorId: 'matrix', sessionId: 's', chat } }),
  },
  {
    name: 'recordChatActivities',
    query: 'mutation($inputs: [RecordChatActivityInput!]!) { recordChatActivities(inputs: $inputs) { index } }',
    variables: () => ({ inputs: [{ type: 'GOAL_ACHIEVED', goal: 'g', visitorId: 'matrix', sessionId: 's', chat }] }),
  },
  { name: 'identifyVisitor', query: 'mutation { identifyVisitor(input: { visitorId: "matrix-2", email: "m@example.com" }) { id } }', variables: () => ({}) },
  { name: 'person', query: 'query($id: ID!) { person(id: $id) { id } }', variables: (ids) => ({ id: ids.person }), read: (d) => d.person },
  { name: 'personByEmail', query: '{ personByEmail(email: "owner@example.com") { id } }', variables: () => ({}), read: (d) => d.personByEmail },
  { name: 'personByVisitor', query: '{ personByVisitor(visitorId: "owner-visitor") { id } }', variables: () => ({}), read: (d) => d.personByVisitor },
  { name: 'people', query: '{ people { totalCount edges { node { id } } } }', variables: () => ({}), read: (d) => d.people.edges },
  { name: 'activity', query: 'query($id: ID!) { activity(id: $id) { id } }', variables: (ids) => ({ id: ids.activity }), read: (d) => d.activity },
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
  { name: 'retryDelivery', query: 'mutation($id: ID!) { retryDelivery(id: $id) { id } }', variables: (ids) => ({ id: ids.delivery }) },
];

/** A refused field is null: the whole data for a non-null root field, the field itself for a nullable one. */
function expectNoData(data: Record<string, unknown> | null | undefined): void {
  expect(data == null || Object.values(data).every((value) => value === null)).toBe(true);
}

interface Ids {
  person: string;
  activity: string;
  keyToRevoke: string;
  delivery: string;
}

describe('the scope × operation × workspace matrix', () => {
  let server: TestServer;
  let ids: Ids;
  const keys: Record<string, string> = {};
  let otherAdmin: string;

  beforeAll(async () => {
    server = await startTestServer({ config: { rateLimits: { perKeyPerSecond: 0, unauthenticatedPerIpPerMinute: 0, subscriptionsPerConnection: 100 } } });
    for (const scope of ['RECORD', 'READ', 'SUBSCRIBE', 'MANAGE']) keys[scope] = await server.createKey(server.workspaceId, [scope]);
    // Sales Insight on (to a port nothing listens on) so the recorded activity leaves a delivery to read and retry.
    const settings = await server.gql(
      'mutation($input: SalesInsightSettingsInput!) { updateSalesInsightSettings(input: $input) { enabled } }',
      { input: { enabled: true, endpointUrl: 'http://127.0.0.1:9/hook', signingSecret: 'matrix-signing-secret', activityTypes: ['GOAL_ACHIEVED'] } },
    );
    expect(settings.errors).toBeUndefined();
    const recorded = await server.gql(
      'mutation($input: RecordChatActivityInput!) { recordChatActivity(input: $input) { activity { id person { id } } } }',
      { input: { type: 'GOAL_ACHIEVED', goal: 'g', visitorId: 'owner-visitor', sessionId: 's', chat, person: { email: 'owner@example.com' } } },
    );
    const created = await server.gql('mutation { createApiKey(name: "victim", scopes: [READ]) { apiKey { id } } }');
    const deliveries = await server.gql('{ deliveries { edges { node { id } } } }');
    ids = {
      delivery: deliveries.data.deliveries.edges[0].node.id,
      person: recorded.data.recordChatActivity.activity.person.id,
      activity: recorded.data.recordChatActivity.activity.id,
      keyToRevoke: created.data.createApiKey.apiKey.id,
    };
    otherAdmin = (await server.createWorkspace()).adminKey;
  });
  afterAll(() => server.stop());

  it('covers every operation listed in REQUIRED_SCOPE (subscriptions over WebSocket below)', () => {
    expect([...OPERATIONS.map((o) => o.name), 'activityRecorded'].sort()).toEqual(Object.keys(REQUIRED_SCOPE).sort());
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

  it("revokeApiKey cannot touch another workspace's key", async () => {
    const created = await server.gql('mutation { createApiKey(name: "mine", scopes: [READ]) { secret apiKey { id } } }');
    const res = await server.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: created.data.createApiKey.apiKey.id }, otherAdmin);
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await server.gql('{ viewer { apiKey { id } } }', {}, created.data.createApiKey.secret)).errors).toBeUndefined();
  });

  it.each(['RECORD', 'READ', 'MANAGE'])('activityRecorded with a %s key is FORBIDDEN, with SUBSCRIBE allowed', async (scope) => {
    const denied = subscribe(server.wsClient(keys[scope]), 'subscription { activityRecorded { id } }');
    const [result] = await denied.waitFor(1);
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const allowed = subscribe(server.wsClient(keys.SUBSCRIBE), 'subscription { activityRecorded { id } }');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(allowed.error).toBeUndefined();
    expect(allowed.received).toEqual([]);
    allowed.unsubscribe();
  });
});
