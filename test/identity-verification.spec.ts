import { globalId, rawOf } from './helpers/ids';
import { createHmac } from 'node:crypto';
import { identityHash } from '../src/identity/identity.service';
import { recordMutation } from './helpers/record';
import { NO_RATE_LIMITS, startTestServer, type TestServer } from './helpers/server';

const IDENTIFY = `mutation($input: IdentifyVisitorInput!) { identify(input: $input) { verified person { id } } }`;
const SET_MODE = `mutation($mode: IdentityVerification!) { updateIdentityVerification(mode: $mode) { mode hasSecret } }`;
const ROTATE = `mutation { rotateIdentitySecret { secret settings { hasSecret secretRotatedAt } } }`;
const RECORD = recordMutation('outcome identityVerified activity { id person { id } }');
const chat = { kind: 'DIALOGUE', id: 'c', name: 'C' };
const goal = (visitorId: string) => ({ type: 'GOAL_ACHIEVED', goal: 'g', visitorId, sessionId: 's', chat });

describe('the identity hash', () => {
  it('is hex(HMAC-SHA256(secret, lowercase(trimmed email))): a known vector, computed with openssl', () => {
    // printf '%s' 'ada@example.com' | openssl dgst -sha256 -hmac 's3cr3t-identity-key'
    const expected = '668eb927dfd219a0371444bc5678056c7b6e3f4ea8b9df34decdba52d6c2e51f';
    expect(identityHash('s3cr3t-identity-key', 'ada@example.com')).toBe(expected);
    expect(identityHash('s3cr3t-identity-key', '  Ada@Example.COM \n')).toBe(expected);
    expect(identityHash('s3cr3t-identity-key', 'bob@example.com')).not.toBe(expected);
    expect(identityHash('another-key', 'ada@example.com')).not.toBe(expected);
  });
});

describe('identity verification, in each mode', () => {
  let server: TestServer;
  let widget: string;
  let secret: string;
  let n = 0;
  const sign = (email: string) => createHmac('sha256', secret).update(email.trim().toLowerCase()).digest('hex');

  beforeAll(async () => {
    server = await startTestServer({ config: { rateLimits: { ...NO_RATE_LIMITS } } });
    widget = await server.createKey(server.workspaceId, ['RECORD']);
    const rotated = await server.gql(ROTATE);
    expect(rotated.errors).toBeUndefined();
    secret = rotated.data.rotateIdentitySecret.secret;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
  });
  afterAll(() => server.stop());

  /** A known person (created by the operator's server-side key) and a visitor with anonymous history of its own. */
  async function scene() {
    n += 1;
    const email = `jane${n}@bigcorp.com`;
    const known = await server.gql(IDENTIFY, {
      input: { visitorId: `boss-${n}`, email, firstName: 'Jane', company: 'BigCorp' },
    });
    expect(known.data.identify.verified).toBe(true);
    const visitor = `visitor-${n}`;
    const anonymous = await server.gql(RECORD, { input: goal(visitor) }, widget);
    expect(anonymous.errors).toBeUndefined();
    return {
      email,
      personId: known.data.identify.person.id as string,
      visitor,
      anonymousActivity: anonymous.data.recordChatActivity.activity.id as string,
    };
  }
  const stored = async (personId: string) =>
    (
      await server.app.dataSource.query('SELECT first_name, last_name, company, score FROM person WHERE id = ?', [
        rawOf(personId),
      ])
    )[0];
  // Behind the API, as global ids to compare with its answers.
  const personOfActivity = async (id: string) =>
    globalId(
      'Person',
      (await server.app.dataSource.query('SELECT person_id FROM activity WHERE id = ?', [rawOf(id)]))[0].person_id,
    );
  const visitorPerson = async (visitorId: string) => {
    const row = (
      await server.app.dataSource.query('SELECT person_id FROM visitor WHERE visitor_id = ?', [visitorId])
    )[0];
    return row ? globalId('Person', row.person_id) : undefined;
  };
  const mode = async (value: string) => expect((await server.gql(SET_MODE, { mode: value })).errors).toBeUndefined();

  it('OFF: an identification does what it always did, and says it was not verified', async () => {
    await mode('OFF');
    const { email, personId, visitor, anonymousActivity } = await scene();
    const res = await server.gql(IDENTIFY, { input: { visitorId: visitor, email, firstName: 'Hacked' } }, widget);
    expect(res.data.identify).toEqual({ verified: false, person: { id: personId } });
    expect((await stored(personId)).first_name).toBe('Hacked');
    expect(await personOfActivity(anonymousActivity)).toBe(personId);
  });

  it('OPTIONAL: unverified attaches and merges, fills empty fields, never overwrites; verified may', async () => {
    await mode('OPTIONAL');
    const { email, personId, visitor, anonymousActivity } = await scene();
    const unverified = await server.gql(
      IDENTIFY,
      { input: { visitorId: visitor, email, firstName: 'Hacked', company: 'Evil', lastName: 'Doe' } },
      widget,
    );
    expect(unverified.data.identify).toEqual({ verified: false, person: { id: personId } });
    expect(await stored(personId)).toMatchObject({ first_name: 'Jane', company: 'BigCorp', last_name: 'Doe' });
    // Attached and merged, as a form fill would.
    expect(await visitorPerson(visitor)).toBe(personId);
    expect(await personOfActivity(anonymousActivity)).toBe(personId);

    const verified = await server.gql(
      IDENTIFY,
      { input: { visitorId: visitor, email, firstName: 'Janet', identityHash: sign(email) } },
      widget,
    );
    expect(verified.data.identify.verified).toBe(true);
    expect((await stored(personId)).first_name).toBe('Janet');

    // The same rule through `person` on an activity, and the payload tells.
    const recorded = await server.gql(
      RECORD,
      { input: { ...goal(visitor), person: { email, firstName: 'Again', identityHash: 'ab'.repeat(32) } } },
      widget,
    );
    expect(recorded.data.recordChatActivity.identityVerified).toBe(false);
    expect((await stored(personId)).first_name).toBe('Janet');
  });

  it('REQUIRED: unverified is FORBIDDEN (IDENTITY_UNVERIFIED) and stores nothing; a valid hash goes through', async () => {
    await mode('REQUIRED');
    const { email, personId, visitor, anonymousActivity } = await scene();
    const before = await stored(personId);
    const count = async () => Number((await server.app.dataSource.query('SELECT COUNT(*) AS n FROM activity'))[0].n);
    const activitiesBefore = await count();
    const attempts = [
      { label: 'no hash', hash: undefined },
      { label: 'a wrong hash', hash: 'ab'.repeat(32) },
      { label: "another e-mail's hash", hash: sign('someone.else@bigcorp.com') },
    ];
    for (const { hash } of attempts) {
      const res = await server.gql(
        IDENTIFY,
        { input: { visitorId: visitor, email, firstName: 'Hacked', identityHash: hash } },
        widget,
      );
      expect(res.errors?.[0].extensions).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'IDENTITY_UNVERIFIED',
        field: ['input', 'identityHash'],
      });
      expect(JSON.stringify(res)).not.toContain(email);
      const viaActivity = await server.gql(
        RECORD,
        { input: { ...goal(visitor), person: { email, identityHash: hash } } },
        widget,
      );
      expect(viaActivity.errors?.[0].extensions).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'IDENTITY_UNVERIFIED',
        field: ['input', 'person', 'identityHash'],
      });
    }
    // Nothing changed: fields, score, history, the visitor's person, no new activity, no new person.
    expect(await stored(personId)).toEqual(before);
    expect(await personOfActivity(anonymousActivity)).not.toBe(personId);
    expect(await visitorPerson(visitor)).not.toBe(personId);
    expect(await count()).toBe(activitiesBefore);
    const stranger = await server.gql(IDENTIFY, { input: { visitorId: 'v-new', email: 'new@bigcorp.com' } }, widget);
    expect(stranger.errors?.[0].extensions?.reason).toBe('IDENTITY_UNVERIFIED');
    expect(
      await server.app.dataSource.query("SELECT id FROM person WHERE email_normalized = 'new@bigcorp.com'"),
    ).toEqual([]);

    // The hash of the lower-cased e-mail verifies whatever case the widget sends (spaces: the unit test above).
    const ok = await server.gql(
      IDENTIFY,
      {
        input: {
          visitorId: visitor,
          email: email.toUpperCase(),
          firstName: 'Jane B.',
          identityHash: sign(email),
        },
      },
      widget,
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data.identify).toEqual({ verified: true, person: { id: personId } });
    expect((await stored(personId)).first_name).toBe('Jane B.');
    const recorded = await server.gql(
      RECORD,
      { input: { ...goal(visitor), person: { email, identityHash: sign(email).toUpperCase() } } },
      widget,
    );
    expect(recorded.data.recordChatActivity).toMatchObject({ outcome: 'RECORDED', identityVerified: true });
  });

  it('rotating the secret stops the old hashes at once; REQUIRED needs a secret; a server-side key counts as verified', async () => {
    await mode('REQUIRED');
    const { email, visitor } = await scene();
    const oldHash = sign(email);
    secret = (await server.gql(ROTATE)).data.rotateIdentitySecret.secret;
    const stale = await server.gql(IDENTIFY, { input: { visitorId: visitor, email, identityHash: oldHash } }, widget);
    expect(stale.errors?.[0].extensions?.reason).toBe('IDENTITY_UNVERIFIED');
    const fresh = await server.gql(
      IDENTIFY,
      { input: { visitorId: visitor, email, identityHash: sign(email) } },
      widget,
    );
    expect(fresh.data.identify.verified).toBe(true);
    // The operator's own key (READ/MANAGE: never in a page) is trusted with what it sends.
    const operator = await server.gql(IDENTIFY, { input: { visitorId: 'v-op', email: 'op@bigcorp.com' } });
    expect(operator.data.identify.verified).toBe(true);
    // The secret is never shown again.
    const settings = await server.gql('{ identityVerificationSettings { mode hasSecret secretRotatedAt } }');
    expect(settings.data.identityVerificationSettings).toMatchObject({ mode: 'REQUIRED', hasSecret: true });
    expect(JSON.stringify(settings)).not.toContain(secret);

    const other = await server.createWorkspace();
    const refused = await server.gql(SET_MODE, { mode: 'REQUIRED' }, other.adminKey);
    expect(refused.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'IDENTITY_SECRET_REQUIRED',
    });
    const defaults = await server.gql('{ identityVerificationSettings { mode hasSecret } }', {}, other.adminKey);
    expect(defaults.data.identityVerificationSettings).toEqual({ mode: 'OPTIONAL', hasSecret: false });
  });

  it('refuses an identityHash that is not 64 hex digits (BAD_USER_INPUT)', async () => {
    const res = await server.gql(
      IDENTIFY,
      { input: { visitorId: 'v-x', email: 'x@bigcorp.com', identityHash: 'zz' } },
      widget,
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'identityHash'] });
  });
});
