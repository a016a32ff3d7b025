import { rawOf } from './helpers/ids';
import { startTestServer, type TestServer } from './helpers/server';

const IDENTIFY = `mutation($input: IdentifyVisitorInput!) { identifyVisitor(input: $input) { id } }`;
const PEOPLE = `query($first: Int, $after: String, $search: String) {
  people(first: $first, after: $after, search: $search) { totalCount edges { cursor node { id email firstName known } } pageInfo { hasNextPage endCursor } }
}`;

describe('people', () => {
  let server: TestServer;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    server = await startTestServer();
    const people = [
      {
        visitorId: 'v1',
        email: 'ada@example.com',
        firstName: 'Ada',
        lastName: 'Lovelace',
        company: 'Analytical Engines',
      },
      { visitorId: 'v2', email: 'grace@navy.example', firstName: 'Grace', lastName: 'Hopper', company: 'US Navy' },
      { visitorId: 'v3', email: 'alan@example.com', firstName: 'Alan', lastName: 'Turing', company: 'Bletchley_Park' },
      {
        visitorId: 'v4',
        email: 'edsger@example.org',
        firstName: 'Edsger',
        lastName: 'Dijkstra',
        company: '100% Structured',
      },
    ];
    for (const input of people) ids[input.firstName] = (await server.gql(IDENTIFY, { input })).data.identifyVisitor.id;
  });
  afterAll(() => server.stop());

  const search = async (text: string) => (await server.gql(PEOPLE, { search: text, first: 100 })).data.people;

  it('searches email, names and company case-insensitively, with totalCount', async () => {
    expect((await search('EXAMPLE.com')).edges.map((e: any) => e.node.firstName).sort()).toEqual(['Ada', 'Alan']);
    expect((await search('hopper')).edges.map((e: any) => e.node.id)).toEqual([ids.Grace]);
    expect((await search('navy')).totalCount).toBe(1);
    expect((await search('ENGINES')).edges[0].node.id).toBe(ids.Ada);
    // LIKE wildcards in the search are literal.
    expect((await search('%')).edges.map((e: any) => e.node.id)).toEqual([ids.Edsger]);
    expect((await search('y_p')).totalCount).toBe(1);
    expect((await search('_')).edges.map((e: any) => e.node.id)).toEqual([ids.Alan]);
    expect((await search('nobody')).totalCount).toBe(0);
  });

  it('pages people by id with cursors, totalCount covering all pages', async () => {
    const first = (await server.gql(PEOPLE, { first: 3 })).data.people;
    expect(first.totalCount).toBe(4);
    expect(first.edges).toHaveLength(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await server.gql(PEOPLE, { first: 3, after: first.pageInfo.endCursor })).data.people;
    expect(second.edges).toHaveLength(1);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const all = [...first.edges, ...second.edges].map((e: any) => e.node.id);
    // Ordered by the raw id (a global id's base64 does not sort like it).
    const raw = all.map(rawOf);
    expect(raw).toEqual([...raw].sort());
    expect(new Set(all)).toEqual(new Set(Object.values(ids)));
  });

  it('pages a search: totalCount counts the matches of the search on every page', async () => {
    const page1 = (await server.gql(PEOPLE, { first: 2, search: 'Example.' })).data.people;
    const page2 = (await server.gql(PEOPLE, { first: 2, search: 'Example.', after: page1.pageInfo.endCursor })).data
      .people;
    expect([page1.totalCount, page2.totalCount]).toEqual([3, 3]);
    expect([page1.pageInfo.hasNextPage, page2.pageInfo.hasNextPage]).toEqual([true, false]);
    const found = [...page1.edges, ...page2.edges].map((e: any) => e.node.id);
    expect(found.sort()).toEqual([ids.Ada, ids.Alan, ids.Edsger].sort());
  });

  it('finds people by email (any case) and by visitor, and only in the workspace of the key', async () => {
    const byEmail = await server.gql('query($e: String!) { personByEmail(email: $e) { id email } }', {
      e: 'GRACE@NAVY.EXAMPLE',
    });
    expect(byEmail.data.personByEmail).toEqual({ id: ids.Grace, email: 'grace@navy.example' });
    const byVisitor = await server.gql('query($v: String!) { personByVisitor(visitorId: $v) { id } }', { v: 'v3' });
    expect(byVisitor.data.personByVisitor.id).toBe(ids.Alan);

    const other = await server.createWorkspace();
    const q =
      'query($id: ID!, $e: String!, $v: String!) { person(id: $id) { id } personByEmail(email: $e) { id } personByVisitor(visitorId: $v) { id } people { totalCount } }';
    const res = await server.gql(q, { id: ids.Ada, e: 'ada@example.com', v: 'v1' }, other.adminKey);
    expect(res.data).toEqual({ person: null, personByEmail: null, personByVisitor: null, people: { totalCount: 0 } });
  });

  it('needs READ and bounds the search', async () => {
    const recordOnly = await server.createKey(server.workspaceId, ['RECORD']);
    expect((await server.gql(PEOPLE, {}, recordOnly)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const res = await server.gql(PEOPLE, { search: 'x'.repeat(256) });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['search'] });
  });
});
