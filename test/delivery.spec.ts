import { globalId, rawId } from './helpers/ids';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startReceiver, verifySignature, type Received } from './helpers/delivery-receiver';
import { record as recordActivity, recordMany } from './helpers/record';
import { startTestServer, type TestServer } from './helpers/server';
import type { DeliveryConfig } from '../src/config';
import { inTransaction } from '../src/db/transaction';
import { DeliveryKind } from '../src/delivery/delivery.model';
import { validEndpointUrl } from '../src/shared/url';
import { backoffMs, signBody } from '../src/delivery/delivery.worker';
import { loadSecretsKey, SecretBox, SecretKeyMismatchError } from '../src/shared/secret-box';
import { createLogger } from '../src/shared/logger';

const FAST: DeliveryConfig = { pollMs: 100, maxAttempts: 4, timeoutMs: 500, backoffBaseMs: 20, concurrency: 8 };
/** Jitter pinned near its ceiling, so each retry waits about base * 2^(n-1) and the schedule can be checked exactly. */
const PINNED = () => 0.999;
const chat = { kind: 'DIALOGUE', id: 'c1', name: 'Main bot' };
const SECRET = 'receiver-shared-secret';

const UPDATE = `mutation($input: SalesInsightSettingsInput!) { updateSalesInsightSettings(input: $input) { enabled endpointUrl activityTypes } }`;
const SETTINGS = '{ salesInsightSettings { enabled endpointUrl activityTypes } }';
const DELIVERIES = `query($status: DeliveryStatus, $kind: DeliveryKind, $first: Int, $after: String) {
  deliveries(status: $status, kind: $kind, first: $first, after: $after) {
    edges { cursor node { id kind status attempts lastError nextAttemptAt deliveredAt createdAt activity { id type } } }
    pageInfo { hasNextPage endCursor }
  } }`;
const RETRY = `mutation($id: ID!) { retryDelivery(id: $id) { id status attempts } }`;

async function enable(server: TestServer, url: string, types = ['GOAL_ACHIEVED']) {
  const res = await server.gql(UPDATE, {
    input: { enabled: true, endpointUrl: url, signingSecret: SECRET, activityTypes: types },
  });
  expect(res.errors).toBeUndefined();
}

const record = (server: TestServer, input: Record<string, unknown>) =>
  recordActivity(server, { visitorId: 'v', sessionId: 's', chat, ...input });

// This file compares the API with what receivers get, so it speaks raw ids (what delivery bodies and X-Delivery-Id carry).
const recordGoal = async (server: TestServer, visitorId: string, goal = 'g') =>
  rawId((await record(server, { type: 'GOAL_ACHIEVED', goal, visitorId })).activity.id);

async function deliveries(server: TestServer, vars: Record<string, unknown> = {}, key?: string) {
  const res = await server.gql(DELIVERIES, { first: 100, ...vars }, key);
  expect(res.errors).toBeUndefined();
  return res.data.deliveries.edges.map((e: any) => ({
    ...e.node,
    id: rawId(e.node.id),
    activity: e.node.activity && { ...e.node.activity, id: rawId(e.node.activity.id) },
  })) as any[];
}

const deliveryById = async (server: TestServer, id: string): Promise<any> =>
  (await deliveries(server)).find((d) => d.id === id);

/** Waits for the delivery to reach `status`, and returns it as the API shows it. */
const settled = (server: TestServer, id: string, status: string) =>
  eventually(async () => {
    const d = await deliveryById(server, id);
    return d?.status === status && d;
  });

const deliveryIdOf = (request: Received) => request.headers['x-delivery-id'] as string;

describe('backoff, signing, URLs and the secrets key (pure)', () => {
  it('doubles the jitter ceiling per attempt, capped at one hour', () => {
    expect(backoffMs(1, 1000, () => 0.999)).toBe(999);
    expect(backoffMs(2, 1000, () => 0.999)).toBe(1998);
    expect(backoffMs(4, 1000, () => 0.5)).toBe(4000);
    expect(backoffMs(40, 1000, () => 0.5)).toBe(30 * 60 * 1000);
    expect(backoffMs(3, 1000, () => 0)).toBe(0);
    for (let i = 0; i < 100; i += 1) {
      const wait = backoffMs(3, 1000);
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThan(4000);
    }
  });

  it('signs the raw body with HMAC-SHA256', () => {
    expect(signBody('key', 'The quick brown fox jumps over the lazy dog')).toBe(
      'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it.each([
    ['https://crm.example.com/hook?x=1', true],
    ['http://127.0.0.1:8080/in', true],
    ['ftp://example.com/x', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['https://user:pw@example.com/', false],
    ['/relative', false],
  ])('endpoint URL %s valid: %s', (url, valid) => {
    expect(validEndpointUrl(url)).toBe(valid);
  });

  it('refuses endpoint URLs over 2048 characters', () => {
    expect(validEndpointUrl('https://example.com/' + 'a'.repeat(2028))).toBe(true);
    expect(validEndpointUrl('https://example.com/' + 'a'.repeat(2029))).toBe(false);
  });

  describe('the secrets key', () => {
    let dir: string;
    const log = createLogger('silent');
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'dca-key-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('is generated once into a fresh directory (mode 0600) and read back on the next start', () => {
      const file = join(dir, 'nested', 'deeper', 'secrets.key');
      const config = { secretsKeyFile: file, database: { kind: 'mysql' as const, url: 'mysql://x', poolSize: 1 } };
      const first = loadSecretsKey(config, log);
      expect(first).toHaveLength(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(loadSecretsKey(config, log).equals(first)).toBe(true);
      const sealed = new SecretBox(first).seal('s3cret');
      expect(new SecretBox(loadSecretsKey(config, log)).open(sealed)).toBe('s3cret');
    });

    it('lives beside the SQLite file by default', () => {
      const key = loadSecretsKey(
        { database: { kind: 'sqlite', url: join(dir, 'db', 'app.sqlite'), poolSize: 1 } },
        log,
      );
      expect(Buffer.from(readFileSync(join(dir, 'db', 'secrets.key'), 'utf8').trim(), 'hex').equals(key)).toBe(true);
    });

    it('SECRETS_KEY wins and must be 32 bytes; another key cannot open a sealed secret', () => {
      const hex = 'ab'.repeat(32);
      const database = { kind: 'sqlite' as const, url: join(dir, 'x.sqlite'), poolSize: 1 };
      expect(loadSecretsKey({ secretsKey: hex, database }, log).toString('hex')).toBe(hex);
      expect(
        loadSecretsKey({ secretsKey: Buffer.from(hex, 'hex').toString('base64'), database }, log).toString('hex'),
      ).toBe(hex);
      expect(() => loadSecretsKey({ secretsKey: 'too-short', database }, log)).toThrow(/32-byte/);
      const sealed = new SecretBox(Buffer.alloc(32, 1)).seal('s3cret');
      expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed)).toThrow(SecretKeyMismatchError);
    });
  });
});

describe('Sales Insight settings', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { delivery: FAST } });
  });
  afterAll(() => server.stop());

  const storedRows = async () =>
    Number((await server.app.dataSource.query('SELECT COUNT(*) AS n FROM sales_insight_settings'))[0].n);

  it('answers defaults when never set', async () => {
    expect((await server.gql(SETTINGS)).data.salesInsightSettings).toEqual({
      enabled: false,
      endpointUrl: null,
      activityTypes: [],
    });
  });

  it.each([
    ['an ftp endpoint', { endpointUrl: 'ftp://example.com/x' }, 'endpointUrl', 'ENDPOINT_URL_INVALID'],
    ['a non-URL endpoint', { endpointUrl: 'not a url' }, 'endpointUrl', 'ENDPOINT_URL_INVALID'],
    [
      'credentials in the endpoint',
      { endpointUrl: 'https://user:password@example.com/in' },
      'endpointUrl',
      'ENDPOINT_URL_INVALID',
    ],
    [
      'an endpoint over 2048 characters',
      { endpointUrl: 'https://example.com/' + 'a'.repeat(2048) },
      'endpointUrl',
      'ENDPOINT_URL_INVALID',
    ],
    ['no endpoint while enabled', { endpointUrl: null }, 'endpointUrl', 'ENDPOINT_URL_REQUIRED'],
    ['a short secret', { signingSecret: 'short' }, 'signingSecret', 'SIGNING_SECRET_INVALID'],
    ['a secret over 512 characters', { signingSecret: 'x'.repeat(513) }, 'signingSecret', 'SIGNING_SECRET_INVALID'],
    ['no secret while enabled', { signingSecret: null }, 'signingSecret', 'SIGNING_SECRET_REQUIRED'],
  ])('rejects %s with BAD_USER_INPUT on its field and stores nothing', async (_label, bad, field, reason) => {
    const input = {
      enabled: true,
      endpointUrl: 'https://crm.example.com/in',
      signingSecret: SECRET,
      activityTypes: ['GOAL_ACHIEVED'],
      ...bad,
    };
    const res = await server.gql(UPDATE, { input });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', field], reason });
    expect(res.data).toBeNull();
    expect((await server.gql(SETTINGS)).data.salesInsightSettings).toEqual({
      enabled: false,
      endpointUrl: null,
      activityTypes: [],
    });
    expect(await storedRows()).toBe(0);
  });

  it('rejects an unknown activity type (the enum)', async () => {
    const res = await server.gql(UPDATE, { input: { enabled: false, activityTypes: ['NOPE'] } });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await storedRows()).toBe(0);
  });

  it('stores settings; the signing secret is write-only, stored encrypted, kept when omitted', async () => {
    const res = await server.gql(UPDATE, {
      input: {
        enabled: true,
        endpointUrl: 'https://crm.example.com/in',
        signingSecret: 'top-secret-value-1',
        activityTypes: ['GOAL_ACHIEVED', 'GOAL_ACHIEVED'],
      },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.updateSalesInsightSettings).toEqual({
      enabled: true,
      endpointUrl: 'https://crm.example.com/in',
      activityTypes: ['GOAL_ACHIEVED'],
    });
    expect(JSON.stringify(res)).not.toContain('top-secret-value');
    const [row] = await server.app.dataSource.query('SELECT signing_secret_enc FROM sales_insight_settings');
    expect(row.signing_secret_enc).toBeTruthy();
    expect(row.signing_secret_enc).not.toContain('top-secret-value');
    expect((await server.app.services.deliveries.sendSettings(server.workspaceId)).signingSecret).toBe(
      'top-secret-value-1',
    );
    const asked = await server.gql('{ salesInsightSettings { signingSecret } }');
    expect(asked.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    // Omitted secret and types: kept.
    const again = await server.gql(UPDATE, { input: { enabled: true, endpointUrl: 'https://crm.example.com/v2' } });
    expect(again.data.updateSalesInsightSettings).toEqual({
      enabled: true,
      endpointUrl: 'https://crm.example.com/v2',
      activityTypes: ['GOAL_ACHIEVED'],
    });
    expect((await server.app.services.deliveries.sendSettings(server.workspaceId)).signingSecret).toBe(
      'top-secret-value-1',
    );

    // Removing the secret needs Sales Insight off.
    const removeEnabled = await server.gql(UPDATE, {
      input: { enabled: true, endpointUrl: 'https://crm.example.com/v2', signingSecret: '' },
    });
    expect(removeEnabled.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['input', 'signingSecret'],
      reason: 'SIGNING_SECRET_REQUIRED',
    });
    expect((await server.app.services.deliveries.sendSettings(server.workspaceId)).signingSecret).toBe(
      'top-secret-value-1',
    );
    const removed = await server.gql(UPDATE, { input: { enabled: false, signingSecret: '', activityTypes: [] } });
    expect(removed.data.updateSalesInsightSettings).toEqual({ enabled: false, endpointUrl: null, activityTypes: [] });
    expect((await server.app.services.deliveries.sendSettings(server.workspaceId)).signingSecret).toBeNull();
  });

  it('needs MANAGE to update and READ to read', async () => {
    const read = await server.createKey(server.workspaceId, ['READ']);
    const denied = await server.gql(UPDATE, { input: { enabled: false } }, read);
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await server.gql(SETTINGS, {}, read)).errors).toBeUndefined();
    expect((await server.gql(RETRY, { id: 'x' }, read)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('deliveries through the outbox', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { delivery: FAST }, deliveryRandom: PINNED });
  });
  afterAll(() => server.stop());

  it('posts exactly the RECORDED activities of the synced types, signed, with X-Delivery-Id', async () => {
    const receiver = await startReceiver();
    try {
      await enable(server, receiver.url, ['GOAL_ACHIEVED', 'TRIGGERED']);
      const expected: string[] = [];
      const goal = await record(server, {
        type: 'GOAL_ACHIEVED',
        goal: 'signup',
        visitorId: 'v-exact',
        clientEventId: 'evt-1',
        person: { email: 'Ada@Example.com' },
      });
      expected.push(rawId(goal.activity.id));
      // The widget's retry of the same event: no second activity, no second delivery.
      expect(
        (
          await record(server, {
            type: 'GOAL_ACHIEVED',
            goal: 'signup',
            visitorId: 'v-exact',
            clientEventId: 'evt-1',
            person: { email: 'Ada@Example.com' },
          })
        ).outcome,
      ).toBe('DUPLICATE_REQUEST');
      const triggered = await record(server, { type: 'TRIGGERED', visitorId: 'v-exact', sessionId: 's-exact' });
      expected.push(rawId(triggered.activity.id));
      expect((await record(server, { type: 'TRIGGERED', visitorId: 'v-exact', sessionId: 's-exact' })).outcome).toBe(
        'ALREADY_LOGGED_IN_SESSION',
      );
      // Not a synced type.
      expect((await record(server, { type: 'ENGAGED', visitorId: 'v-exact' })).outcome).toBe('RECORDED');
      const batch = await recordMany(server, [
        { type: 'GOAL_ACHIEVED', goal: 'b1', visitorId: 'v-batch', sessionId: 's', chat },
        { type: 'TRIGGERED', visitorId: 'v-batch', sessionId: 's', chat },
        { type: 'TRIGGERED', visitorId: 'v-batch', sessionId: 's', chat },
        { type: 'ENGAGED', visitorId: 'v-batch', sessionId: 's', chat },
      ]);
      const outcomes = batch.map((r) => r.payload!.outcome);
      expect(outcomes).toEqual(['RECORDED', 'RECORDED', 'ALREADY_LOGGED_IN_SESSION', 'RECORDED']);
      expected.push(rawId(batch[0].payload!.activity.id), rawId(batch[1].payload!.activity.id));

      const requests = await receiver.waitFor(expected.length);
      for (const id of (await deliveries(server, { kind: 'ACTIVITY' })).map((d) => d.id))
        await settled(server, id, 'DELIVERED');
      const rows = await deliveries(server);
      expect(rows.map((d) => d.activity.id).sort()).toEqual([...expected].sort());
      expect(
        rows.every(
          (d) =>
            d.kind === 'ACTIVITY' &&
            d.status === 'DELIVERED' &&
            d.attempts === 1 &&
            d.deliveredAt &&
            d.nextAttemptAt === null,
        ),
      ).toBe(true);
      expect(receiver.received).toHaveLength(expected.length);

      const bodies = requests.map((r) => JSON.parse(r.body));
      expect(bodies.map((b) => b.activityId).sort()).toEqual([...expected].sort());
      expect(new Set(requests.map(deliveryIdOf))).toEqual(new Set(rows.map((d) => d.id)));
      for (const request of requests) {
        expect(request.headers['content-type']).toBe('application/json');
        expect(verifySignature(SECRET, request.body, request.headers['x-signature'])).toBe(true);
        expect(verifySignature('another-secret-value', request.body, request.headers['x-signature'])).toBe(false);
        expect(JSON.parse(request.body).deliveryId).toBe(deliveryIdOf(request));
      }
      const first = bodies.find((b) => b.activityId === rawId(goal.activity.id));
      expect(first).toEqual({
        deliveryId: expect.any(String),
        kind: 'ACTIVITY',
        workspaceId: server.workspaceId,
        createdAt: expect.any(String),
        activityId: rawId(goal.activity.id),
        campaignRunId: null,
        data: expect.objectContaining({
          id: rawId(goal.activity.id),
          type: 'GOAL_ACHIEVED',
          goal: 'signup',
          visitorId: 'v-exact',
          chat,
          person: expect.objectContaining({ email: 'Ada@Example.com' }),
        }),
      });
    } finally {
      await receiver.close();
    }
  });

  it('retries with exponential backoff and delivers on the 4th attempt', async () => {
    // As each retry arrives, the row still shows what the failure before it scheduled.
    const schedule: Array<{ attempts: number; waitMs: number }> = [];
    const receiver = await startReceiver(async (request, i) => {
      if (i > 0) {
        const [row] = await server.app.dataSource.query(
          'SELECT attempts, last_attempt_at, next_attempt_at FROM delivery WHERE id = ?',
          [deliveryIdOf(request)],
        );
        schedule.push({
          attempts: Number(row.attempts),
          waitMs: Number(row.next_attempt_at) - Number(row.last_attempt_at),
        });
      }
      return { status: i < 3 ? 503 : 200, body: i < 3 ? 'try later' : 'ok' };
    });
    try {
      await enable(server, receiver.url);
      const activityId = await recordGoal(server, 'v-retry');
      const requests = await receiver.waitFor(4);
      const id = deliveryIdOf(requests[0]);
      expect(requests.map(deliveryIdOf)).toEqual([id, id, id, id]);
      expect(new Set(requests.map((r) => r.body)).size).toBe(1);
      const delivery = await settled(server, id, 'DELIVERED');
      expect(delivery).toMatchObject({
        attempts: 4,
        // The status line, never the receiver's body ("try later").
        lastError: 'HTTP 503 Service Unavailable',
        nextAttemptAt: null,
        activity: { id: activityId },
      });
      // The waits double (base 20 ms, jitter pinned at 0.999): 19, 39, 79.
      expect(schedule).toEqual(
        [1, 2, 3].map((attempts) => ({ attempts, waitMs: backoffMs(attempts, FAST.backoffBaseMs, PINNED) })),
      );
      expect(schedule[1].waitMs).toBeGreaterThan(schedule[0].waitMs);
      expect(schedule[2].waitMs).toBeGreaterThan(schedule[1].waitMs);
    } finally {
      await receiver.close();
    }
  });

  it('gives up as DEAD after the last attempt; retryDelivery after fixing the endpoint delivers it there', async () => {
    const broken = await startReceiver(() => ({ status: 500, body: 'x'.repeat(1_000_000) }));
    const fixed = await startReceiver(() => ({ status: 204 }));
    try {
      await enable(server, broken.url);
      await recordGoal(server, 'v-dead');
      await broken.waitFor(FAST.maxAttempts);
      const id = deliveryIdOf(broken.received[0]);
      const dead = await settled(server, id, 'DEAD');
      expect(dead).toMatchObject({ attempts: FAST.maxAttempts, nextAttemptAt: null, deliveredAt: null });
      // The status line only: nothing of the receiver's answer is copied into lastError.
      expect(dead.lastError).toBe('HTTP 500 Internal Server Error');
      expect(broken.received).toHaveLength(FAST.maxAttempts);
      expect((await deliveries(server, { status: 'DEAD' })).map((d) => d.id)).toEqual([id]);

      await enable(server, fixed.url);
      const retried = await server.gql(RETRY, { id });
      expect(retried.errors).toBeUndefined();
      expect(retried.data.retryDelivery).toMatchObject({
        id: globalId('Delivery', id),
        status: 'PENDING',
        attempts: 0,
      });
      const [request] = await fixed.waitFor(1);
      expect(deliveryIdOf(request)).toBe(id);
      expect(request.body).toBe(broken.received[0].body);
      expect(verifySignature(SECRET, request.body, request.headers['x-signature'])).toBe(true);
      expect(await settled(server, id, 'DELIVERED')).toMatchObject({ attempts: 1 });

      const again = await server.gql(RETRY, { id });
      expect(again.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'DELIVERY_ALREADY_DELIVERED' });
      const missing = await server.gql(RETRY, { id: 'no-such-delivery' });
      expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    } finally {
      await Promise.all([broken.close(), fixed.close()]);
    }
  });

  it('does not follow redirects', async () => {
    const target = await startReceiver();
    const receiver = await startReceiver(() => ({ status: 302, headers: { location: target.url } }));
    try {
      await enable(server, receiver.url);
      await recordGoal(server, 'v-redirect');
      await receiver.waitFor(1);
      const d = await settled(server, deliveryIdOf(receiver.received[0]), 'DEAD');
      expect(d.lastError).toMatch(/^HTTP 302/);
      expect(target.received).toHaveLength(0);
    } finally {
      await Promise.all([receiver.close(), target.close()]);
    }
  });

  it('times out a receiver that never answers, and records an unreachable one', async () => {
    const receiver = await startReceiver(() => 'hang');
    try {
      await enable(server, receiver.url);
      await recordGoal(server, 'v-hang');
      await receiver.waitFor(1);
      const d = await eventually(async () => {
        const x = await deliveryById(server, deliveryIdOf(receiver.received[0]));
        return x?.attempts >= 1 && x;
      });
      expect(d.lastError).toBe(`timed out after ${FAST.timeoutMs} ms`);
    } finally {
      await receiver.close();
    }
    // Nothing listens there any more.
    const activityId = await recordGoal(server, 'v-refused');
    const refused = await eventually(async () =>
      (await deliveries(server)).find((x) => x.activity?.id === activityId && x.attempts >= 1),
    );
    expect(refused.lastError).toBe('connection refused');
  });

  it('enqueue writes WEBHOOK and INTERESTING_MOMENT rows in the caller transaction; a rollback writes none', async () => {
    const salesInsight = await startReceiver();
    const hook = await startReceiver();
    try {
      await enable(server, salesInsight.url);
      const services = server.app.services;
      const ids = await inTransaction(server.app.dataSource, (tx) =>
        services.deliveries.enqueue(tx, [
          {
            workspaceId: server.workspaceId,
            kind: DeliveryKind.INTERESTING_MOMENT,
            campaignRunId: 'run-1',
            payload: { moment: 'm1' },
          },
          {
            workspaceId: server.workspaceId,
            kind: DeliveryKind.WEBHOOK,
            url: hook.url,
            campaignRunId: 'run-1',
            payload: { hello: 'world' },
          },
        ]),
      );
      services.deliveries.wake();
      // Deliveries left pending by earlier tests go to the new endpoint too (it is read at send time): pick ours.
      const moment = await eventually(async () => salesInsight.received.find((r) => deliveryIdOf(r) === ids[0]));
      const [webhook] = await hook.waitFor(1);
      expect(JSON.parse(moment.body)).toMatchObject({
        deliveryId: ids[0],
        kind: 'INTERESTING_MOMENT',
        campaignRunId: 'run-1',
        data: { moment: 'm1' },
      });
      expect(JSON.parse(webhook.body)).toMatchObject({
        deliveryId: ids[1],
        kind: 'WEBHOOK',
        campaignRunId: 'run-1',
        data: { hello: 'world' },
      });
      expect(verifySignature(SECRET, moment.body, moment.headers['x-signature'])).toBe(true);
      expect(verifySignature(SECRET, webhook.body, webhook.headers['x-signature'])).toBe(true);
      expect((await deliveries(server, { kind: 'WEBHOOK' })).map((d) => d.id)).toEqual([ids[1]]);
      expect((await deliveries(server, { kind: 'INTERESTING_MOMENT' })).map((d) => d.id)).toEqual([ids[0]]);

      await expect(
        inTransaction(server.app.dataSource, async (tx) => {
          await services.deliveries.enqueue(tx, [
            { workspaceId: server.workspaceId, kind: DeliveryKind.WEBHOOK, url: hook.url, payload: { n: 2 } },
          ]);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await expect(
        inTransaction(server.app.dataSource, (tx) =>
          services.deliveries.enqueue(tx, [
            { workspaceId: server.workspaceId, kind: DeliveryKind.WEBHOOK, url: 'file:///etc/passwd', payload: {} },
          ]),
        ),
      ).rejects.toThrow(/http\(s\) url/);
      expect(await deliveries(server, { kind: 'WEBHOOK' })).toHaveLength(1);
    } finally {
      await Promise.all([salesInsight.close(), hook.close()]);
    }
  });

  it('pages newest first, filters by status and kind, and isolates workspaces', async () => {
    const all = await deliveries(server);
    expect(all.length).toBeGreaterThan(4);
    const page1 = await server.gql(DELIVERIES, { first: 2 });
    const page2 = await server.gql(DELIVERIES, { first: 2, after: page1.data.deliveries.pageInfo.endCursor });
    const ids = [...page1.data.deliveries.edges, ...page2.data.deliveries.edges].map((e: any) => rawId(e.node.id));
    expect(ids).toEqual(all.slice(0, 4).map((d) => d.id));
    expect(page1.data.deliveries.pageInfo.hasNextPage).toBe(true);
    expect(all.map((d) => d.createdAt)).toEqual([...all.map((d) => d.createdAt)].sort().reverse());
    const delivered = await deliveries(server, { status: 'DELIVERED', kind: 'ACTIVITY' });
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.every((d) => d.status === 'DELIVERED' && d.kind === 'ACTIVITY')).toBe(true);
    expect((await server.gql(DELIVERIES, { first: 101 })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await server.gql(DELIVERIES, { after: 'garbage' })).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['after'],
    });

    const other = await server.createWorkspace();
    expect(await deliveries(server, {}, other.adminKey)).toEqual([]);
    const res = await server.gql(RETRY, { id: all[0].id }, other.adminKey);
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await server.gql(SETTINGS, {}, other.adminKey)).data.salesInsightSettings).toEqual({
      enabled: false,
      endpointUrl: null,
      activityTypes: [],
    });
  });

  it('writes nothing while Sales Insight is disabled, and holds back queued ones', async () => {
    const receiver = await startReceiver();
    try {
      // Queued while enabled, to a receiver that is gone; then disabled.
      await enable(server, 'http://127.0.0.1:9/unreachable');
      const queued = await recordGoal(server, 'v-disabled-1');
      const res = await server.gql(UPDATE, { input: { enabled: false, endpointUrl: receiver.url } });
      expect(res.errors).toBeUndefined();
      const before = (await deliveries(server)).length;
      await recordGoal(server, 'v-disabled-2');
      expect((await deliveries(server)).length).toBe(before);
      // Whatever its attempts did before the switch (it may even be DEAD already), the next one sees Sales Insight off.
      const queuedId = (await deliveries(server)).find((x) => x.activity?.id === queued).id;
      expect((await server.gql(RETRY, { id: queuedId })).errors).toBeUndefined();
      const held = await eventually(async () => {
        const d = await deliveryById(server, queuedId);
        return d?.lastError === 'Sales Insight is disabled for this workspace' && d;
      });
      expect(held.status).not.toBe('DELIVERED');
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });
});
