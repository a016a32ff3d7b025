import { record as recordActivity } from './helpers/record';
import { rawId } from './helpers/ids';
import { startTestServer, type TestServer } from './helpers/server';

const IDENTIFY = `mutation($input: IdentifyVisitorInput!) { identifyVisitor(input: $input) { id email firstName lastName company known score visitorIds } }`;
const PERSON = `query($id: ID!) { person(id: $id) { id email known score visitorIds activities(first: 100) { edges { node { id visitorId } } } } }`;

const chat = { kind: 'CONVERSATIONAL_FLOW', id: 'flow-1', name: 'Onboarding' };

describe('visitors and identity', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const record = async (visitorId: string, extra: Record<string, unknown> = {}) =>
    (
      await recordActivity(server, {
        type: 'GOAL_ACHIEVED',
        goal: 'g',
        visitorId,
        sessionId: `s-${visitorId}`,
        chat,
        ...extra,
      })
    ).activity;
  const person = async (id: string) => (await server.gql(PERSON, { id })).data.person;
  const setScore = (id: string, score: number) =>
    server.app.dataSource.query('UPDATE person SET score = ? WHERE id = ?', [score, rawId(id)]);

  it('makes an anonymous person of an unknown visitor, and keeps using it', async () => {
    const a = await record('anon-1');
    const b = await record('anon-1');
    expect(b.person.id).toBe(a.person.id);
    expect(await person(a.person.id)).toMatchObject({ email: null, known: false, visitorIds: ['anon-1'] });
  });

  it('merges an anonymous visitor with history into an existing known person with history, losing nothing', async () => {
    // A known person with history and a visitor of their own.
    const known = (
      await server.gql(IDENTIFY, { input: { visitorId: 'known-v1', email: 'Ada@Example.com', firstName: 'Ada' } })
    ).data.identifyVisitor;
    const knownActivities = [await record('known-v1'), await record('known-v1')];
    await setScore(known.id, 10);
    // An anonymous visitor with history.
    const anonActivities = [await record('anon-2'), await record('anon-2'), await record('anon-2')];
    const anonId = anonActivities[0].person.id;
    await setScore(anonId, 5);

    const merged = (
      await server.gql(IDENTIFY, { input: { visitorId: 'anon-2', email: 'ada@EXAMPLE.com', lastName: 'Lovelace' } })
    ).data.identifyVisitor;
    expect(merged).toMatchObject({
      id: known.id,
      email: 'Ada@Example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      known: true,
      score: 15,
    });
    expect([...merged.visitorIds].sort()).toEqual(['anon-2', 'known-v1']);
    const after = await person(known.id);
    const ids = after.activities.edges.map((e: { node: { id: string } }) => e.node.id).sort();
    expect(ids).toEqual([...knownActivities, ...anonActivities].map((a) => a.id).sort());
    expect(await person(anonId)).toBeNull();
    // New activities of the former anonymous visitor now go to the known person.
    expect((await record('anon-2')).person.id).toBe(known.id);
  });

  it('attaches with the person input of a recorded activity, before storing it', async () => {
    const anon = await record('anon-3');
    const activity = await record('anon-3', { person: { email: 'grace@example.com', company: 'Navy' } });
    const byEmail = (
      await server.gql('query($e: String!) { personByEmail(email: $e) { id company visitorIds } }', {
        e: 'GRACE@example.com',
      })
    ).data.personByEmail;
    expect(activity.person.id).toBe(byEmail.id);
    expect(byEmail).toMatchObject({ company: 'Navy', visitorIds: ['anon-3'] });
    expect(await person(anon.person.id)).toBeNull();
  });

  it('moves a visitor of a known person who identifies with another email, leaving the history where it was', async () => {
    const first = (await server.gql(IDENTIFY, { input: { visitorId: 'shared-laptop', email: 'first@example.com' } }))
      .data.identifyVisitor;
    const before = await record('shared-laptop');
    expect(before.person.id).toBe(first.id);
    const second = (await server.gql(IDENTIFY, { input: { visitorId: 'shared-laptop', email: 'second@example.com' } }))
      .data.identifyVisitor;
    expect(second.id).not.toBe(first.id);
    expect((await record('shared-laptop')).person.id).toBe(second.id);
    const firstNow = await person(first.id);
    expect(firstNow.visitorIds).toEqual([]);
    expect(firstNow.activities.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([before.id]);
  });

  it('creates one person when new visitors identify with one new email at the same time', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        server.gql(IDENTIFY, { input: { visitorId: `race-v${i}`, email: `Race.${'x'}@example.com` } }),
      ),
    );
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    const ids = new Set(results.map((r) => r.data.identifyVisitor.id));
    expect(ids.size).toBe(1);
    const rows = await server.app.dataSource.query(
      "SELECT COUNT(*) AS n FROM person WHERE email_normalized = 'race.x@example.com'",
    );
    expect(Number(rows[0].n)).toBe(1);
    expect((await person([...ids][0])).visitorIds).toHaveLength(12);
  });

  it('creates one anonymous person when a new visitor records concurrently', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => record('burst-visitor')));
    expect(new Set(results.map((a) => a.person.id)).size).toBe(1);
    const orphans = await server.app.dataSource.query(
      'SELECT COUNT(*) AS n FROM person p WHERE p.workspace_id = ? AND NOT EXISTS (SELECT 1 FROM visitor v WHERE v.person_id = p.id) AND NOT EXISTS (SELECT 1 FROM activity a WHERE a.person_id = p.id) AND p.email IS NULL',
      [server.workspaceId],
    );
    expect(Number(orphans[0].n)).toBe(0);
  });

  it('validates identifyVisitor input', async () => {
    const bad = await server.gql(IDENTIFY, { input: { visitorId: 'v', email: 'nope' } });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'email'] });
    const blank = await server.gql(IDENTIFY, { input: { visitorId: ' ', email: 'a@example.com' } });
    expect(blank.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'visitorId'] });
  });
});
