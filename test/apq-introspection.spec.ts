import { createHash } from 'node:crypto';
import { globalId } from './helpers/ids';
import { startTestServer, subscribe, type TestServer } from './helpers/server';

const QUERY = '{ viewer { workspace { id } } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function post(server: TestServer, body: unknown) {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}` },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> };
}

describe('automatic persisted queries', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('asks for the query once, then runs it by hash alone', async () => {
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(QUERY) } };
    const unknown = await post(server, { extensions });
    expect(unknown.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post(server, { query: QUERY, extensions });
    expect(registered.data.viewer.workspace.id).toBe(globalId('Workspace', server.workspaceId));
    const byHash = await post(server, { extensions });
    expect(byHash.errors).toBeUndefined();
    expect(byHash.data.viewer.workspace.id).toBe(globalId('Workspace', server.workspaceId));
  });

  it('refuses a hash that does not match the query', async () => {
    const res = await post(server, {
      query: QUERY,
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256('other') } },
    });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
  });
});

describe('introspection turned off', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { introspection: false } });
  });
  afterAll(() => server.stop());

  it('refuses introspection on HTTP and on WebSocket, and still serves queries', async () => {
    const http = await server.gql('{ __schema { types { name } } }');
    expect(http.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const sub = subscribe(server.wsClient(), '{ __schema { types { name } } }');
    await expect(sub.waitFor(1)).rejects.toBeDefined();
    expect((sub.error as Array<{ extensions: { code: string } }>)[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await server.gql(QUERY)).data.viewer.workspace.id).toBe(globalId('Workspace', server.workspaceId));
  });
});
