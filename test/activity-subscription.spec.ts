import { startTestServer, subscribe, type TestServer } from './helpers/server';

const RECORD = `mutation($input: RecordChatActivityInput!) { recordChatActivity(input: $input) { outcome activity { id person { id } } } }`;
const SUBSCRIPTION = `subscription($personId: ID) { activityRecorded(personId: $personId) { id type visitorId person { id } ... on GoalAchievedActivity { goal } } }`;

describe('activityRecorded over graphql-ws', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const record = async (visitorId: string, extra: Record<string, unknown> = {}, key?: string) => {
    const res = await server.gql(
      RECORD,
      { input: { type: 'GOAL_ACHIEVED', goal: 'g', visitorId, sessionId: 's', chat: { kind: 'DIALOGUE', id: 'c', name: 'C' }, ...extra } },
      key,
    );
    expect(res.errors).toBeUndefined();
    return res.data.recordChatActivity;
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

  it("delivers exactly the recorded activities of one person, or of the whole workspace, never another workspace's", async () => {
    const other = await server.createWorkspace();
    const alice = await record('alice');
    const alicePerson = alice.activity.person.id;

    const perPerson = subscribe(server.wsClient(), SUBSCRIPTION, { personId: alicePerson });
    const workspace = subscribe(server.wsClient(), SUBSCRIPTION, {});
    const foreign = subscribe(server.wsClient(other.adminKey), SUBSCRIPTION, {});
    await settle();

    const a1 = await record('alice', { goal: 'first', clientEventId: 'a1' });
    const b1 = await record('bob');
    await record('alice', { goal: 'first', clientEventId: 'a1' }); // DUPLICATE_REQUEST: not published
    const t1 = await record('alice', { type: 'TRIGGERED', goal: undefined });
    await record('alice', { type: 'TRIGGERED', goal: undefined }); // ALREADY_LOGGED_IN_SESSION: not published
    await record('carol', {}, other.adminKey);

    const mine = await perPerson.waitFor(2);
    expect(mine.map((r) => r.data.activityRecorded.id)).toEqual([a1.activity.id, t1.activity.id]);
    expect(mine[0].data.activityRecorded).toMatchObject({ type: 'GOAL_ACHIEVED', goal: 'first', visitorId: 'alice', person: { id: alicePerson } });
    const all = await workspace.waitFor(3);
    expect(all.map((r) => r.data.activityRecorded.id)).toEqual([a1.activity.id, b1.activity.id, t1.activity.id]);
    const theirs = await foreign.waitFor(1);
    expect(theirs[0].data.activityRecorded.visitorId).toBe('carol');

    await settle();
    expect(perPerson.received).toHaveLength(2);
    expect(workspace.received).toHaveLength(3);
    expect(foreign.received).toHaveLength(1);
  });

  it('needs the SUBSCRIBE scope', async () => {
    const readOnly = await server.createKey(server.workspaceId, ['READ']);
    const sub = subscribe(server.wsClient(readOnly), SUBSCRIPTION, {});
    const [result] = await sub.waitFor(1);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
  });
});
