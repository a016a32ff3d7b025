import { startTestServer, subscribe, type TestServer } from './helpers/server';
import { globalId } from './helpers/ids';

const nested = (depth: number): string => {
  let selection = 'name';
  for (let i = 0; i < depth; i += 1) selection = `ofType { ${selection} }`;
  return `{ __schema { types { fields { type { ${selection} } } } } }`;
};
const aliased = (count: number): string =>
  `{ ${Array.from({ length: count }, (_, i) => `a${i}: viewer { workspace { id } }`).join(' ')} }`;
const manyTokens = (count: number): string => `{ viewer { workspace { ${'id '.repeat(count)} } } }`;

describe('query limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const cases: Array<[string, string, string]> = [
    ['too many aliases', aliased(16), 'QUERY_TOO_COMPLEX'],
    ['too many tokens', manyTokens(6_000), 'QUERY_TOO_COMPLEX'],
    [
      'costly: membership counted for a page of 100 lists',
      '{ smartLists(first: 100) { edges { node { memberCount } } } }',
      'QUERY_TOO_COMPLEX',
    ],
    [
      'costly: members of members',
      '{ smartLists(first: 50) { edges { node { members(first: 100) { edges { node { smartLists { id } } } } } } } }',
      'QUERY_TOO_COMPLEX',
    ],
    ['not GraphQL', '{ viewer { ', 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', '{ nope }', 'GRAPHQL_VALIDATION_FAILED'],
  ];

  it.each(cases)(
    'rejects a query that is %s on HTTP, with a clear code and nothing executed',
    async (_label, query, code) => {
      const res = await server.gql(query);
      expect(res.status).toBe(400);
      expect(res.data).toBeUndefined();
      expect(res.errors?.[0].extensions?.code).toBe(code);
      expect(res.errors?.[0].message.length).toBeLessThan(300);
    },
  );

  it.each(cases)('rejects a query that is %s on WebSocket the same way', async (_label, query, code) => {
    const sub = subscribe(server.wsClient(), query);
    await expect(sub.waitFor(1)).rejects.toBeDefined();
    const errors = sub.error as Array<{ extensions?: { code?: string }; message: string }>;
    expect(Array.isArray(errors)).toBe(true);
    expect(errors[0].extensions?.code).toBe(code);
  });

  it('accepts queries within the limits on both paths', async () => {
    expect((await server.gql(aliased(15))).errors).toBeUndefined();
    expect(
      (await server.gql('{ smartLists(first: 20) { edges { node { memberCount includes(personId: "x") } } } }')).errors,
    ).toBeUndefined();
    // Introspection is exempt from the depth limit (tools send deep TypeRef fragments); tokens and cost still bound it.
    expect((await server.gql(nested(12))).errors).toBeUndefined();
    const [result] = await subscribe(server.wsClient(), aliased(15)).waitFor(1);
    expect(result.errors).toBeUndefined();
    expect(result.data.a14.workspace.id).toBe(globalId('Workspace', server.workspaceId));
  });

  it('prices one query text by the variables it is sent with, every time (first, @include)', async () => {
    const query =
      'query($n: Int!, $count: Boolean!, $person: ID!) { smartLists(first: $n) { edges { node { name memberCount @include(if: $count) includes(personId: $person) } } } }';
    const codeFor = async (variables: Record<string, unknown>) =>
      (await server.gql(query, variables)).errors?.[0]?.extensions?.code ?? 'OK';
    for (let round = 0; round < 2; round += 1) {
      expect(await codeFor({ n: 20, count: true, person: 'a' })).toBe('OK');
      expect(await codeFor({ n: 100, count: true, person: 'a' })).toBe('QUERY_TOO_COMPLEX');
      expect(await codeFor({ n: 100, count: false, person: 'a' })).toBe('OK');
      // Variables the cost does not depend on do not change the answer.
      expect(await codeFor({ n: 100, count: true, person: `x${round}` })).toBe('QUERY_TOO_COMPLEX');
      expect(await codeFor({ n: 20, count: true, person: `y${round}` })).toBe('OK');
    }
  });

  it('answers an oversized body with 413 and a JSON error', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}` },
      body: JSON.stringify({ query: '{ viewer { workspace { id } } }', variables: { pad: 'x'.repeat(1_100_000) } }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe(
      'BAD_REQUEST',
    );
  });
});
