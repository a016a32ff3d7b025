import { connected, startTestServer, subscribe, type TestServer } from './helpers/server';
import { globalId, rawId } from './helpers/ids';
import { ApiKeyEntity } from '../src/auth/api-key.entity';
import { ALL_SCOPES, Scope } from '../src/auth/scope';

const VIEWER = '{ viewer { workspace { id name } apiKey { id name scopes } } }';
const API_KEYS = '{ apiKeys { id name scopes revokedAt } }';
const CREATE_KEY =
  'mutation($name: String!, $scopes: [Scope!]!) { createApiKey(name: $name, scopes: $scopes) { secret apiKey { id name scopes createdAt } } }';
const REVOKE_KEY = 'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }';

describe('API keys and access', () => {
  let server: TestServer;
  let revokedKey: string;
  let readKey: string;

  beforeAll(async () => {
    server = await startTestServer();
    readKey = await server.createKey(server.workspaceId, ['READ']);
    const created = await server.gql(CREATE_KEY, { name: 'to revoke', scopes: ['READ', 'MANAGE'] });
    revokedKey = created.data.createApiKey.secret;
    await server.gql(REVOKE_KEY, { id: created.data.createApiKey.apiKey.id });
  });
  afterAll(() => server.stop());

  describe.each([
    ['viewer', VIEWER, {}, null],
    ['apiKeys', API_KEYS, {}, 'MANAGE'],
    ['createApiKey', CREATE_KEY, { name: 'k', scopes: ['READ'] }, 'MANAGE'],
    ['revokeApiKey', REVOKE_KEY, { id: '00000000-0000-0000-0000-000000000000' }, 'MANAGE'],
  ])('%s', (field, query, variables, scope) => {
    it.each([
      ['no key', null, 'UNAUTHENTICATED', 'API_KEY_MISSING'],
      ['an unknown key', 'dca_nope', 'UNAUTHENTICATED', 'API_KEY_INVALID'],
    ])('answers %s with UNAUTHENTICATED and no data', async (_label, key, code, reason) => {
      const res = await server.gql(query, variables, key === null ? null : key);
      expect(res.errors?.[0].extensions).toMatchObject({ code, reason });
      expect(res.data).toBeNull();
    });

    it('answers a revoked key with UNAUTHENTICATED', async () => {
      const res = await server.gql(query, variables, revokedKey);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'API_KEY_REVOKED' });
      expect(res.data).toBeNull();
    });

    if (scope) {
      it(`answers a key without ${scope} with FORBIDDEN`, async () => {
        const res = await server.gql(query, variables, readKey);
        expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SCOPE_MISSING' });
        expect(res.data).toBeNull();
      });
    }

    it('works with the right key', async () => {
      const res = await server.gql(query, variables);
      if (field === 'revokeApiKey') {
        expect(res.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: ['id'] });
      } else {
        expect(res.errors).toBeUndefined();
        expect(res.data[field]).toBeDefined();
      }
    });
  });

  it('shows a created secret once, stores only its hash, and the new key works with its scopes', async () => {
    const created = await server.gql(CREATE_KEY, { name: 'widget', scopes: ['RECORD', 'READ', 'RECORD'] });
    expect(created.errors).toBeUndefined();
    const { secret, apiKey } = created.data.createApiKey;
    expect(secret).toMatch(/^dca_[A-Za-z0-9_-]{43}$/);
    expect(apiKey.scopes).toEqual(['RECORD', 'READ']);

    const rows = await server.app.dataSource.query('SELECT secret_hash FROM api_key WHERE id = ?', [rawId(apiKey.id)]);
    expect(rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(secret);

    const viewer = await server.gql(VIEWER, {}, secret);
    expect(viewer.data.viewer.apiKey).toMatchObject({ id: apiKey.id, name: 'widget', scopes: ['RECORD', 'READ'] });
    const list = await server.gql(API_KEYS);
    expect(list.data.apiKeys.map((k: { id: string }) => k.id)).toContain(apiKey.id);
    expect(JSON.stringify(list.data)).not.toContain(secret);
  });

  it('rejects bad key input with BAD_USER_INPUT naming the field, and stores nothing', async () => {
    const before = (await server.gql(API_KEYS)).data.apiKeys.length;
    const emptyName = await server.gql(CREATE_KEY, { name: '  ', scopes: ['READ'] });
    expect(emptyName.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['name'] });
    const noScopes = await server.gql(CREATE_KEY, { name: 'x', scopes: [] });
    expect(noScopes.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['scopes'] });
    const badScope = await server.gql(CREATE_KEY, { name: 'x', scopes: ['ROOT'] });
    expect(badScope.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await server.gql(API_KEYS)).data.apiKeys.length).toBe(before);
  });

  it('revoking takes effect at once and is idempotent', async () => {
    const created = await server.gql(CREATE_KEY, { name: 'short-lived', scopes: ['READ'] });
    const { secret, apiKey } = created.data.createApiKey;
    expect((await server.gql(VIEWER, {}, secret)).errors).toBeUndefined();
    const first = await server.gql(REVOKE_KEY, { id: apiKey.id });
    const again = await server.gql(REVOKE_KEY, { id: apiKey.id });
    expect(first.data.revokeApiKey.revokedAt).toBeTruthy();
    expect(again.data.revokeApiKey.revokedAt).toBe(first.data.revokeApiKey.revokedAt);
    const res = await server.gql(VIEWER, {}, secret);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('never shows or touches another workspace', async () => {
    const other = await server.createWorkspace();
    const mine = (await server.gql(API_KEYS)).data.apiKeys.map((k: { id: string }) => k.id);
    const theirs = (await server.gql(API_KEYS, {}, other.adminKey)).data.apiKeys.map((k: { id: string }) => k.id);
    expect(theirs.some((id: string) => mine.includes(id))).toBe(false);
    const viewer = await server.gql(VIEWER, {}, other.adminKey);
    expect(viewer.data.viewer.workspace.id).toBe(globalId('Workspace', other.workspaceId));
    // Revoking a key of another workspace is NOT_FOUND, and the key keeps working.
    const res = await server.gql(REVOKE_KEY, { id: theirs[0] });
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await server.gql(VIEWER, {}, other.adminKey)).errors).toBeUndefined();
  });

  describe('over graphql-ws', () => {
    it('accepts a valid key and runs operations with its workspace', async () => {
      const client = server.wsClient();
      const sub = subscribe(client, VIEWER);
      const [result] = await sub.waitFor(1);
      expect(result.data.viewer.workspace.id).toBe(globalId('Workspace', server.workspaceId));
    });

    it.each([
      ['no key', null],
      ['an unknown key', 'dca_nope'],
      ['a revoked key', 'revoked'],
    ])(
      'closes the connection with 4401 Unauthorized for %s (graphql-ws clients do not retry it)',
      async (_label, key) => {
        const client = server.wsClient(key === 'revoked' ? revokedKey : key);
        const ack = connected(client);
        client.subscribe(
          { query: VIEWER },
          { next: () => undefined, error: () => undefined, complete: () => undefined },
        );
        await expect(ack).rejects.toMatchObject({ code: 4401, reason: 'Unauthorized' });
      },
    );

    it('applies scopes per operation with the same codes as HTTP', async () => {
      const client = server.wsClient(readKey);
      const sub = subscribe(client, API_KEYS);
      const [result] = await sub.waitFor(1);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SCOPE_MISSING' });
    });
  });
});

describe('API key lookups', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { authCacheTtlMs: 300 } });
  });
  afterAll(() => server.stop());

  it('makes one database lookup for concurrent callers of an uncached or expired key, and one lastUsedAt write', async () => {
    const { secret } = await server.app.services.apiKeys.create(server.workspaceId, 'stampede', [Scope.READ], {
      grantorScopes: new Set(ALL_SCOPES),
    });
    const repository = server.app.services.dataSource.getRepository(ApiKeyEntity);
    const findOne = jest.spyOn(repository, 'findOne');
    const update = jest.spyOn(repository, 'update');
    try {
      const burst = () =>
        Promise.all(Array.from({ length: 50 }, () => server.app.services.apiKeys.authenticate(secret)));
      expect((await burst()).every((result) => result.ok)).toBe(true);
      expect(findOne).toHaveBeenCalledTimes(1);
      expect(update).toHaveBeenCalledTimes(1);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect((await burst()).every((result) => result.ok)).toBe(true);
      expect(findOne).toHaveBeenCalledTimes(2);
    } finally {
      findOne.mockRestore();
      update.mockRestore();
    }
  });

  it('does not cache a lookup that a revoke on this instance overtook', async () => {
    const { apiKey, secret } = await server.app.services.apiKeys.create(
      server.workspaceId,
      'revoked while looking',
      [Scope.READ],
      { grantorScopes: new Set(ALL_SCOPES) },
    );
    const inFlight = server.app.services.apiKeys.authenticate(secret);
    await server.app.services.apiKeys.revoke(server.workspaceId, apiKey.id);
    await inFlight;
    expect(await server.app.services.apiKeys.authenticate(secret)).toEqual({ ok: false, reason: 'API_KEY_REVOKED' });
  });
});
