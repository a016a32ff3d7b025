import { rawOf } from './helpers/ids';
import { activeCampaign } from './helpers/campaign-fixtures';
import { recordMutation } from './helpers/record';
import { NO_RATE_LIMITS, startTestServer, subscribe, type TestServer } from './helpers/server';

const CREATE =
  'mutation($scopes: [Scope!]!) { createApiKey(name: "minted", scopes: $scopes) { secret apiKey { id scopes } } }';
const REVOKE = 'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }';

describe('no scope escalation', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { rateLimits: { ...NO_RATE_LIMITS } } });
  });
  afterAll(() => server.stop());

  it('a key grants only scopes it holds itself', async () => {
    const manageOnly = await server.createKey(server.workspaceId, ['MANAGE']);
    const escalated = await server.gql(CREATE, { scopes: ['READ', 'RECORD', 'SUBSCRIBE'] }, manageOnly);
    expect(escalated.errors?.[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'SCOPE_ESCALATION',
      field: ['scopes'],
    });
    expect(escalated.errors?.[0].message).toContain('READ, RECORD, SUBSCRIBE');
    expect((await server.gql('{ apiKeys { name } }')).data.apiKeys.filter((k: any) => k.name === 'minted')).toEqual([]);
    const same = await server.gql(CREATE, { scopes: ['MANAGE'] }, manageOnly);
    expect(same.data.createApiKey.apiKey.scopes).toEqual(['MANAGE']);
    const readAndManage = await server.createKey(server.workspaceId, ['READ', 'MANAGE']);
    expect((await server.gql(CREATE, { scopes: ['READ'] }, readAndManage)).data.createApiKey.apiKey.scopes).toEqual([
      'READ',
    ]);
    expect((await server.gql(CREATE, { scopes: ['RECORD'] }, readAndManage)).errors?.[0].extensions?.reason).toBe(
      'SCOPE_ESCALATION',
    );
  });
});

describe('the last key that can manage a workspace', () => {
  it('cannot be revoked, even by two concurrent revokes of the last two', async () => {
    const server = await startTestServer({ config: { rateLimits: { ...NO_RATE_LIMITS } } });
    try {
      // The key requests are made with: the admin key until a round revokes it, then the survivor.
      let manager = server.adminKey;
      const keys = async () =>
        // Read behind the API: the key the requests were made with may be the one just revoked.
        (await server.app.services.apiKeys.list(server.workspaceId)) as Array<{
          id: string;
          name: string;
          scopes: string[];
          revokedAt: Date | null;
        }>;
      const admin = (await keys()).find((k) => k.name === 'admin')!;
      const alone = await server.gql(REVOKE, { id: admin.id });
      expect(alone.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'LAST_MANAGE_KEY' });
      // A key without MANAGE goes at any time.
      const reader = (await server.gql(CREATE, { scopes: ['READ'] }, manager)).data.createApiKey.apiKey.id;
      expect((await server.gql(REVOKE, { id: reader }, manager)).errors).toBeUndefined();

      for (let round = 0; round < 5; round += 1) {
        const created = await server.gql(CREATE, { scopes: ['MANAGE'] }, manager);
        const second = created.data.createApiKey;
        const active = (await keys()).filter((k) => k.scopes.includes('MANAGE') && !k.revokedAt);
        expect(active).toHaveLength(2);
        // Each revoke is sent with the other key: both are valid when the race starts.
        const [a, b] = await Promise.all([
          server.gql(REVOKE, { id: active[0].id }, second.secret),
          server.gql(REVOKE, { id: active[1].id }, manager),
        ]);
        const outcomes = [a, b].map((r) => r.errors?.[0].extensions?.reason ?? 'revoked');
        // One revoke wins; the other is refused by the guard, or (when the winner revoked its key first) by
        // authentication itself. Either way one manager is left.
        expect(outcomes.filter((o) => o === 'revoked')).toHaveLength(1);
        expect(
          outcomes.filter((o) => o !== 'revoked').every((o) => o === 'LAST_MANAGE_KEY' || o === 'API_KEY_REVOKED'),
        ).toBe(true);
        const left = (await keys()).filter((k) => k.scopes.includes('MANAGE') && !k.revokedAt);
        expect(left).toHaveLength(1);
        if (left[0].id === rawOf(second.apiKey.id)) manager = second.secret;
      }

      // The guard itself, raced in the database by two transactions at once: exactly one of them may revoke.
      for (let round = 0; round < 5; round += 1) {
        const extra = (await server.gql(CREATE, { scopes: ['MANAGE'] }, manager)).data.createApiKey;
        const managers = (await keys()).filter((k) => k.scopes.includes('MANAGE') && !k.revokedAt);
        expect(managers).toHaveLength(2);
        const results = await Promise.allSettled(
          managers.map((k) => server.app.services.apiKeys.revoke(server.workspaceId, k.id)),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
        expect(refused.reason).toMatchObject({ code: 'CONFLICT', reason: 'LAST_MANAGE_KEY' });
        const survivor = (await server.app.services.apiKeys.list(server.workspaceId)).filter(
          (k) => k.scopes.includes('MANAGE' as never) && !k.revokedAt,
        );
        expect(survivor).toHaveLength(1);
        if (survivor[0].id === rawOf(extra.apiKey.id)) manager = extra.secret;
      }
    } finally {
      await server.stop();
    }
  });
});

describe('webhook URLs are secrets', () => {
  it('come back whole to MANAGE only, redacted to READ and to SUBSCRIBE through campaignTriggered', async () => {
    const server = await startTestServer({ config: { rateLimits: { ...NO_RATE_LIMITS } } });
    try {
      const url = 'https://hooks.example.com/services/T0KEN/s3cr3t?sig=abc';
      const campaignId = await activeCampaign(server, { flow: [{ action: 'WEBHOOK', webhookUrl: url }] });
      const query = 'query($id: ID!) { campaign(id: $id) { flow { webhookUrl } } }';
      expect((await server.gql(query, { id: campaignId })).data.campaign.flow[0].webhookUrl).toBe(url);
      const reader = await server.createKey(server.workspaceId, ['READ']);
      const read = await server.gql(query, { id: campaignId }, reader);
      expect(read.data.campaign.flow[0].webhookUrl).toBe('https://hooks.example.com/…');
      expect(JSON.stringify(read)).not.toContain('T0KEN');

      const listener = await server.createKey(server.workspaceId, ['SUBSCRIBE']);
      const sub = subscribe(
        server.wsClient(listener),
        'subscription($id: ID!) { campaignTriggered(campaignId: $id) { id campaign { flow { webhookUrl } } } }',
        { id: campaignId },
      );
      for (let i = 0; i < 40 && sub.received.length === 0; i += 1) {
        await server.gql(recordMutation('outcome'), {
          input: {
            type: 'GOAL_ACHIEVED',
            goal: 'g',
            visitorId: `v-${i}`,
            sessionId: 's',
            chat: { kind: 'DIALOGUE', id: 'c', name: 'C' },
          },
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(sub.received[0].data.campaignTriggered.campaign.flow[0].webhookUrl).toBe('https://hooks.example.com/…');
      expect(JSON.stringify(sub.received)).not.toContain('T0KEN');
    } finally {
      await server.stop();
    }
  });
});

describe('with INTROSPECTION=false', () => {
  it('error messages suggest no field names, on HTTP and on WebSocket', async () => {
    const server = await startTestServer({ config: { introspection: false, rateLimits: { ...NO_RATE_LIMITS } } });
    try {
      const http = await server.gql('mutation { createApiKeyy(name: "x", scopes: [READ]) { secret } }', {}, null);
      expect(http.errors?.[0].message).toBe('Cannot query field "createApiKeyy" on type "Mutation".');
      const ws = await new Promise<any>((resolve) => {
        server
          .wsClient()
          .subscribe(
            { query: '{ viewr { workspace { id } } }' },
            { next: () => undefined, error: resolve, complete: () => resolve(null) },
          );
      });
      expect(ws[0].message).toBe('Cannot query field "viewr" on type "Query".');
      // With introspection on, graphql-js's suggestions stay (a developer convenience).
      const open = await startTestServer({ config: { rateLimits: { ...NO_RATE_LIMITS } } });
      try {
        const suggested = await open.gql('{ viewr { workspace { id } } }', {}, null);
        expect(suggested.errors?.[0].message).toContain('Did you mean "viewer"?');
      } finally {
        await open.stop();
      }
    } finally {
      await server.stop();
    }
  });
});
