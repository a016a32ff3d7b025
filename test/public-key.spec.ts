import { rawOf } from './helpers/ids';
import { activeCampaign } from './helpers/campaign-fixtures';
import { recordManyMutation, recordMutation } from './helpers/record';
import { NO_RATE_LIMITS, startTestServer, subscribe, type TestServer } from './helpers/server';

/** The known person's data: none of these may appear in anything a RECORD-only key gets back. */
const SECRETS = ['ceo@bigcorp.com', 'CEO@bigcorp.com', 'Jane', 'Doe', 'BigCorp', '4242', 'v-boss'];
const PERSON_FIELDS = 'id email firstName lastName company known score visitorIds createdAt updatedAt';
const chat = { kind: 'DIALOGUE', id: 'c', name: 'C' };

function expectNoPersonalData(body: unknown): void {
  const text = JSON.stringify(body);
  for (const secret of SECRETS)
    expect({ leaked: secret, found: text.includes(secret) }).toEqual({ leaked: secret, found: false });
}

describe('a public (RECORD-only) key never gets personal data back', () => {
  let server: TestServer;
  let record: string;
  let recordAndSubscribe: string;
  let personId: string;
  let campaignId: string;

  beforeAll(async () => {
    server = await startTestServer({ config: { rateLimits: { ...NO_RATE_LIMITS } } });
    // An operator identifies the CEO with a server-side key, and campaigns raise her score.
    const identified = await server.gql(
      'mutation($input: IdentifyVisitorInput!) { identifyVisitor(input: $input) { id } }',
      {
        input: {
          visitorId: 'v-boss',
          email: 'ceo@bigcorp.com',
          firstName: 'Jane',
          lastName: 'Doe',
          company: 'BigCorp',
        },
      },
    );
    personId = identified.data.identifyVisitor.id;
    await server.app.dataSource.query('UPDATE person SET score = 4242 WHERE id = ?', [personId]);
    record = await server.createKey(server.workspaceId, ['RECORD']);
    recordAndSubscribe = await server.createKey(server.workspaceId, ['RECORD', 'SUBSCRIBE']);
    campaignId = await activeCampaign(server);
  });
  afterAll(() => server.stop());

  const claim = { visitorId: 'v-attacker', email: 'CEO@bigcorp.com' };
  const person = { email: 'CEO@bigcorp.com' };
  const goal = (visitorId: string) => ({ type: 'GOAL_ACHIEVED', goal: 'g', visitorId, sessionId: 's', chat });

  it.each([
    [
      'identifyVisitor',
      `mutation($input: IdentifyVisitorInput!) { identifyVisitor(input: $input) { ${PERSON_FIELDS} } }`,
    ],
    [
      'identify',
      `mutation($input: IdentifyVisitorInput!) { identify(input: $input) { verified person { ${PERSON_FIELDS} } } }`,
    ],
  ])('%s answers the id and FORBIDDEN for the rest, over HTTP', async (_name, query) => {
    const res = await server.gql(query, { input: claim }, record);
    expectNoPersonalData(res);
    expect(res.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
    // The id alone is allowed: the widget needs it.
    const idOnly = await server.gql(
      'mutation($input: IdentifyVisitorInput!) { identify(input: $input) { verified person { id } } }',
      { input: claim },
      record,
    );
    expect(idOnly.errors).toBeUndefined();
    expect(idOnly.data.identify).toEqual({ verified: false, person: { id: personId } });
  });

  it('recordChatActivity and recordChatActivities answer nothing personal of activity.person', async () => {
    const one = await server.gql(
      recordMutation(`outcome activity { id person { ${PERSON_FIELDS} } }`),
      { input: { ...goal('v-attacker'), person } },
      record,
    );
    expectNoPersonalData(one);
    const many = await server.gql(
      recordManyMutation(`index payload { activity { person { ${PERSON_FIELDS} } } } error { code message }`),
      { inputs: [{ ...goal('v-attacker'), person }, goal('v-attacker')] },
      record,
    );
    expectNoPersonalData(many);
    // Errors do not echo the e-mail either.
    const bad = await server.gql(
      recordMutation('outcome'),
      { input: { ...goal('v-attacker'), person: { email: 'CEO@bigcorp.com', identityHash: 'not-a-hash' } } },
      record,
    );
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expectNoPersonalData(bad);
    // Nor does graphql-js's own refusal of a variable, which would print the value sent.
    const coercion = await server.gql(
      recordMutation('outcome'),
      { input: { ...goal('v-attacker'), person: claim } },
      record,
    );
    expect(coercion.status).toBe(400);
    expect(coercion.errors?.[0].message).toBe(
      'Variable "$input" has an invalid value at "input.person": Field "visitorId" is not defined by type "PersonInput".',
    );
    expectNoPersonalData(coercion);
  });

  it('over WebSocket: identify, recordChatActivity, and activityRecorded / campaignTriggered for a key without READ', async () => {
    const client = server.wsClient(recordAndSubscribe);
    const run = (query: string, variables: Record<string, unknown>) =>
      new Promise<unknown>((resolve) => {
        const results: unknown[] = [];
        client.subscribe(
          { query, variables },
          { next: (r) => results.push(r), error: (e) => resolve({ errors: e }), complete: () => resolve(results) },
        );
      });
    expectNoPersonalData(
      await run(`mutation($input: IdentifyVisitorInput!) { identifyVisitor(input: $input) { ${PERSON_FIELDS} } }`, {
        input: claim,
      }),
    );
    expectNoPersonalData(
      await run(recordMutation(`activity { person { ${PERSON_FIELDS} } }`), {
        input: { ...goal('v-boss'), person },
      }),
    );
    const activities = subscribe(client, `subscription { activityRecorded { id person { ${PERSON_FIELDS} } } }`);
    const runs = subscribe(
      client,
      `subscription($id: ID!) { campaignTriggered(campaignId: $id) { id person { ${PERSON_FIELDS} } } }`,
      {
        id: campaignId,
      },
    );
    for (let i = 0; i < 40 && (activities.received.length === 0 || runs.received.length === 0); i += 1) {
      await server.gql(recordMutation('outcome'), { input: goal('v-boss') });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(activities.received.length).toBeGreaterThan(0);
    expect(runs.received.length).toBeGreaterThan(0);
    expectNoPersonalData(activities.received);
    expectNoPersonalData(runs.received);
    // With READ as well, the same subscription shows them: the rule is the scope, not the path.
    const reader = server.wsClient(await server.createKey(server.workspaceId, ['SUBSCRIBE', 'READ']));
    const readable = subscribe(reader, 'subscription { activityRecorded { person { email } } }');
    for (let i = 0; i < 40 && readable.received.length === 0; i += 1) {
      await server.gql(recordMutation('outcome'), { input: goal('v-boss') });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(readable.received[0].data.activityRecorded.person.email).toBe('ceo@bigcorp.com');
  });

  it("cannot overwrite a known person's fields without a verified identity (OPTIONAL, the default)", async () => {
    const res = await server.gql(
      'mutation($input: IdentifyVisitorInput!) { identify(input: $input) { verified person { id } } }',
      { input: { ...claim, firstName: 'Hacked', company: 'Evil' } },
      record,
    );
    expect(res.data.identify.verified).toBe(false);
    const [stored] = await server.app.dataSource.query('SELECT first_name, company FROM person WHERE id = ?', [
      rawOf(personId),
    ]);
    expect(stored).toEqual({ first_name: 'Jane', company: 'BigCorp' });
  });
});
