import { databaseKind } from './helpers/database';
import { eventually, startReceiver, verifySignature } from './helpers/delivery-receiver';
import { startTestServer, type TestServer } from './helpers/server';
import { inTransaction } from '../src/db/transaction';
import { DeliveryKind } from '../src/delivery/delivery.model';
import { backoffMs, signBody } from '../src/delivery/delivery.worker';

const FAST = { pollMs: 100, maxAttempts: 4, timeoutMs: 500, backoffBaseMs: 20 };
const chat = { kind: 'DIALOGUE', id: 'c1', name: 'Main bot' };
const SECRET = 'receiver-shared-secret';

const UPDATE = `mutation($input: SalesInsightSettingsInput!) { updateSalesInsightSettings(input: $input) { enabled endpointUrl activityTypes } }`;
const RECORD = `mutation($input: RecordChatActivityInput!) { recordChatActivity(input: $input) { outcome activity { id } } }`;
const DELIVERIES = `query($status: DeliveryStatus, $kind: DeliveryKind, $first: Int, $after: String) {
  deliveries(status: $status, kind: $kind, first: $first, after: $after) {
    edges { cursor node { id kind status attempts lastError nextAttemptAt deliveredAt createdAt activity { id type } } }
    pageInfo { hasNextPage endCursor }
  } }`;
const RETRY = `mutation($id: ID!) { retryDelivery(id: $id) { id status attempts } }`;

async function enable(server: TestServer, url: string, types = ['GOAL_ACHIEVED'], key?: string) {
  const res = await server.gql(UPDATE, { input: { enabled: true, endpointUrl: url, signingSecret: SECRET, activityTypes: types } }, key);
  expect(res.errors).toBeUndefined();
}

async function recordGoal(server: TestServer, visitorId: string, goal = 'g') {
  const res = await server.gql(RECORD, { input: { type: 'GOAL_ACHIEVED', goal, visitorId, sessionId: 's', chat } });
  expect(res.errors).toBeUndefined();
  return res.data.recordChatActivity.activity.id as string;
}

async function deliveries(server: TestServer, vars: Record<string, unknown> = {}, key?: string) {
  const res = await server.gql(DELIVERIES, vars, key);
  expect(res.errors).toBeUndefined();
  return res.data.deliveries.edges.map((e: any) => e.node) as any[];
}

async function deliveryStatus(server: TestServer, id: string): Promise<any> {
  return (await deliveries(server, { first: 100 })).find((d) => d.id === id);
}

describe('backoff and signing (pure)', () => {
  it('doubles the jitter ceiling per attempt, capped at one hour', () => {
    expect(backoffMs(1, 1000, () => 0.999)).toBe(999);
    expect(backoffMs(2, 1000, () => 0.999)).toBe(1998);
    expect(backoffMs(4, 1000, () => 0.5)).toBe(4000);
    expect(backoffMs(40, 1000, () => 0.5)).toBe(30 * 60 * 1000);
    expect(backoffMs(3, 1000, () => 0)).toBe(0);
  });

  it('signs the raw body with HMAC-SHA256', () => {
    expect(signBody('key', 'The quick brown fox jumps over the lazy dog')).toBe('sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
  });
});

describe('Sales Insight settings', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { delivery: FAST } });
  });
  afterAll(() => server.stop());

  it('answers defaults when never set', async () => {
    const res = await server.gql('{ salesInsightSettings { enabled endpointUrl activityTypes } }');
    expect(res.data.salesInsightSettings).toEqual({ enabled: false, endpointUrl: null, activityTypes: [] });
  });

  it.each([
    ['ftp://example.com/x', 'ENDPOINT_URL_INVALID'],
    ['not a url', 'ENDPOINT_URL_INVALID'],
    ['https://example.com/' + 'a'.repeat(2048), 'ENDPOINT_URL_INVALID'],
    [null, 'ENDPOINT_URL_REQUIRED'],
  ])('rejects endpointUrl %#', async (endpointUrl, reason) => {
    const res = await server.gql(UPDATE, { input: { enabled: true, endpointUrl, activityTypes: ['GOAL_ACHIEVED'] } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'endpointUrl'], reason });
    const after = await server.gql('{ salesInsightSettings { enabled } }');
    expect(after.data.salesInsightSettings.enabled).toBe(false);
  });

  it('stores settings and never returns the signing secret', async () => {
    const res = await server.gql(UPDATE, { input: { enabled: true, endpointUrl: 'https://crm.example.com/in', signingSecret: 'top-secret-value', activityTypes: ['GOAL_ACHIEVED'] } });
    expect(res.data.updateSalesInsightSettings).toEqual({ enabled: true, endpointUrl: 'https://crm.example.com/in', activityTypes: ['GOAL_ACHIEVED'] });
    expect(JSON.stringify(res)).not.toContain('top-secret-value');
    const [row] = await server.app.dataSource.query('SELECT signing_secret_enc FROM sales_insight_settings');
    expect(row.signing_secret_enc).toBeTruthy();
    expect(row.signing_secret_enc).not.toContain('top-secret-value');
    const schemaHasSecret = await server.gql('{ salesInsightSettings { signingSecret } }');
    expect(schemaHasSecret.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('needs MANAGE to update and READ to read', async () => {
    const read = await server.createKey(server.workspaceId, ['READ']);
    const record = await server.createKey(server.workspaceId, ['RECORD']);
    const denied = await server.gql(UPDATE, { input: { enabled: false } }, read);
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await server.gql('{ salesInsightSettings { enabled } }', {}, read)).errors).toBeUndefined();
    expect((await server.gql('{ salesInsightSettings { enabled } }', {}, record)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await server.gql(RETRY, { id: 'x' }, read)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await server.gql(DELIVERIES, {}, record)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('deliveries through the outbox', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { delivery: FAST } });
  });
  afterAll(() => server.stop());

  it('posts recorded activities of the synced types, signed, with X-Delivery-Id', async () => {
    const receiver = await startReceiver();
    try {
      await enable(server, receiver.url, ['GOAL_ACHIEVED']);
      const goalId = await recordGoal(server, 'v-signed', 'signup');
      // Not a synced type: no delivery.
      await server.gql(RECORD, { input: { type: 'TRIGGERED', visitorId: 'v-signed', sessionId: 's', chat } });
      const [request] = await receiver.waitFor(1);
      expect(verifySignature(SECRET, request.body, request.headers['x-signature'])).toBe(true);
      expect(verifySignature('wrong', request.body, request.headers['x-signature'])).toBe(false);
      expect(request.headers['content-type']).toBe('application/json');
      const body = JSON.parse(request.body);
      expect(body).toMatchObject({ kind: 'ACTIVITY', deliveryId: request.headers['x-delivery-id'], activityId: goalId, data: { id: goalId, type: 'GOAL_ACHIEVED', goal: 'signup' } });
      const delivery = await eventually(async () => {
        const d = await deliveryStatus(server, body.deliveryId);
        return d?.status === 'DELIVERED' && d;
      });
      expect(delivery).toMatchObject({ kind: 'ACTIVITY', attempts: 1, activity: { id: goalId, type: 'GOAL_ACHIEVED' } });
      expect(delivery.deliveredAt).toBeTruthy();
      expect(await deliveries(server)).toHaveLength(1);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('retries with backoff and delivers on the 4th attempt', async () => {
    // At each failing request's successor, the row shows the schedule the previous failure set.
    const schedule: Array<{ attempts: number; nextAttemptAt: number; failedAt: number }> = [];
    const failedAt: number[] = [];
    const receiver = await startReceiver(async (request, i) => {
      if (i > 0) {
        const [row] = await server.app.dataSource.query('SELECT attempts, next_attempt_at FROM delivery WHERE id = ?', [request.headers['x-delivery-id']]);
        schedule.push({ attempts: Number(row.attempts), nextAttemptAt: Number(row.next_attempt_at), failedAt: failedAt[i - 1] });
      }
      if (i < 3) failedAt.push(Date.now());
      return { status: i < 3 ? 503 : 200 };
    });
    try {
      await enable(server, receiver.url);
      await recordGoal(server, 'v-retry');
      const requests = await receiver.waitFor(4);
      const id = requests[0].headers['x-delivery-id'] as string;
      expect(new Set(requests.map((r) => r.headers['x-delivery-id']))).toEqual(new Set([id]));
      expect(new Set(requests.map((r) => r.body)).size).toBe(1);
      const delivery = await eventually(async () => {
        const d = await deliveryStatus(server, id);
        return d?.status === 'DELIVERED' && d;
      });
      expect(delivery.attempts).toBe(4);
      expect(delivery.lastError).toBe('HTTP 503');
      expect(delivery.nextAttemptAt).toBeNull();
      expect(schedule.map((s) => s.attempts)).toEqual([1, 2, 3]);
      for (let i = 0; i < schedule.length; i += 1) {
        // Each retry is scheduled after the failure that caused it, and later than the one before.
        expect(schedule[i].nextAttemptAt).toBeGreaterThanOrEqual(schedule[i].failedAt);
        if (i > 0) expect(schedule[i].nextAttemptAt).toBeGreaterThanOrEqual(schedule[i - 1].nextAttemptAt);
      }
    } finally {
      await receiver.close();
    }
  });

  it('gives up as DEAD after max attempts; retryDelivery delivers it', async () => {
    let failing = true;
    const receiver = await startReceiver(() => ({ status: failing ? 500 : 204 }));
    try {
      await enable(server, receiver.url);
      await recordGoal(server, 'v-dead');
      await receiver.waitFor(FAST.maxAttempts);
      const id = receiver.received[0].headers['x-delivery-id'] as string;
      const dead = await eventually(async () => {
        const d = await deliveryStatus(server, id);
        return d?.status === 'DEAD' && d;
      });
      expect(dead).toMatchObject({ attempts: FAST.maxAttempts, lastError: 'HTTP 500', nextAttemptAt: null });
      expect(receiver.received).toHaveLength(FAST.maxAttempts);
      expect((await deliveries(server, { status: 'DEAD' })).map((d) => d.id)).toContain(id);

      failing = false;
      const retried = await server.gql(RETRY, { id });
      expect(retried.errors).toBeUndefined();
      expect(retried.data.retryDelivery).toMatchObject({ id, status: 'PENDING', attempts: 0 });
      await eventually(async () => (await deliveryStatus(server, id))?.status === 'DELIVERED');
      expect((await deliveryStatus(server, id)).attempts).toBe(1);
      const again = await server.gql(RETRY, { id });
      expect(again.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'DELIVERY_ALREADY_DELIVERED' });
    } finally {
      await receiver.close();
    }
  });

  it('does not follow redirects', async () => {
    const target = await startReceiver();
    const receiver = await startReceiver(() => ({ status: 302, headers: { location: target.url } }));
    try {
      await enable(server, receiver.url);
      await recordGoal(server, 'v-redirect');
      await receiver.waitFor(1);
      const id = receiver.received[0].headers['x-delivery-id'] as string;
      const d = await eventually(async () => {
        const x = await deliveryStatus(server, id);
        return x?.status === 'DEAD' && x;
      });
      expect(d.lastError).toBe('HTTP 302');
      expect(target.received).toHaveLength(0);
    } finally {
      await Promise.all([receiver.close(), target.close()]);
    }
  });

  it('times out a hanging receiver', async () => {
    const receiver = await startReceiver(() => 'hang');
    try {
      await enable(server, receiver.url);
      await recordGoal(server, 'v-hang');
      await receiver.waitFor(1);
      const id = receiver.received[0].headers['x-delivery-id'] as string;
      const d = await eventually(async () => {
        const x = await deliveryStatus(server, id);
        return x && x.attempts >= 1 && x;
      });
      expect(d.lastError).toMatch(/timed out/);
    } finally {
      await receiver.close();
    }
  });

  it('enqueue writes WEBHOOK and INTERESTING_MOMENT rows in the caller transaction; rollback writes none', async () => {
    const receiver = await startReceiver();
    const hook = await startReceiver();
    try {
      await enable(server, receiver.url);
      const services = server.app.services;
      const ids = await inTransaction(server.app.dataSource, (tx) =>
        services.deliveries.enqueue(tx, [
          { workspaceId: server.workspaceId, kind: DeliveryKind.INTERESTING_MOMENT, payload: { moment: 'm1' } },
          { workspaceId: server.workspaceId, kind: DeliveryKind.WEBHOOK, url: hook.url, campaignRunId: 'run-1', payload: { hello: 'world' } },
        ]),
      );
      services.deliveries.wake();
      const [moment] = await receiver.waitFor(1);
      const [webhook] = await hook.waitFor(1);
      expect(JSON.parse(moment.body)).toMatchObject({ deliveryId: ids[0], kind: 'INTERESTING_MOMENT', data: { moment: 'm1' } });
      expect(JSON.parse(webhook.body)).toMatchObject({ deliveryId: ids[1], kind: 'WEBHOOK', campaignRunId: 'run-1', data: { hello: 'world' } });
      expect(verifySignature(SECRET, webhook.body, webhook.headers['x-signature'])).toBe(true);
      expect((await deliveries(server, { kind: 'WEBHOOK' })).map((d) => d.id)).toEqual([ids[1]]);

      await expect(
        inTransaction(server.app.dataSource, async (tx) => {
          await services.deliveries.enqueue(tx, [{ workspaceId: server.workspaceId, kind: DeliveryKind.WEBHOOK, url: hook.url, payload: { n: 2 } }]);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await deliveries(server, { kind: 'WEBHOOK' })).toHaveLength(1);
    } finally {
      await Promise.all([receiver.close(), hook.close()]);
    }
  });

  it('pages newest first and isolates workspaces', async () => {
    const all = await deliveries(server, { first: 100 });
    expect(all.length).toBeGreaterThan(3);
    const page1 = await server.gql(DELIVERIES, { first: 2 });
    const page2 = await server.gql(DELIVERIES, { first: 2, after: page1.data.deliveries.pageInfo.endCursor });
    const ids = [...page1.data.deliveries.edges, ...page2.data.deliveries.edges].map((e: any) => e.node.id);
    expect(ids).toEqual(all.slice(0, 4).map((d) => d.id));
    expect(page1.data.deliveries.pageInfo.hasNextPage).toBe(true);

    const other = await server.createWorkspace();
    expect(await deliveries(server, {}, other.adminKey)).toEqual([]);
    const res = await server.gql(RETRY, { id: all[0].id }, other.adminKey);
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const otherSettings = await server.gql('{ salesInsightSettings { enabled endpointUrl } }', {}, other.adminKey);
    expect(otherSettings.data.salesInsightSettings).toEqual({ enabled: false, endpointUrl: null });
  });

  it('sends nothing when Sales Insight is disabled', async () => {
    const receiver = await startReceiver();
    try {
      const res = await server.gql(UPDATE, { input: { enabled: false, endpointUrl: receiver.url } });
      expect(res.errors).toBeUndefined();
      const before = (await deliveries(server, { first: 100 })).length;
      await recordGoal(server, 'v-disabled');
      expect((await deliveries(server, { first: 100 })).length).toBe(before);
    } finally {
      await receiver.close();
    }
  });
});

const mysqlOnly = databaseKind() === 'mysql' ? describe : describe.skip;

// Two processes on one SQLite file is not a supported deployment; the claim protocol under concurrency is exercised on MariaDB.
mysqlOnly('two instances on one MariaDB database', () => {
  it('deliver each delivery once', async () => {
    const receiver = await startReceiver();
    const first = await startTestServer({ config: { delivery: FAST } });
    const second = await startTestServer({ database: first.database, adminKey: first.adminKey, config: { delivery: FAST } });
    try {
      await enable(first, receiver.url);
      const ids: string[] = [];
      await inTransaction(first.app.dataSource, async (tx) => {
        const items = Array.from({ length: 60 }, (_, i) => ({ workspaceId: first.workspaceId, kind: DeliveryKind.WEBHOOK, url: receiver.url, payload: { i } }));
        ids.push(...(await first.app.services.deliveries.enqueue(tx, items)));
      });
      first.app.services.deliveries.wake();
      second.app.services.deliveries.wake();
      await receiver.waitFor(60);
      await eventually(async () => {
        const [row] = await first.app.dataSource.query("SELECT COUNT(*) AS n FROM delivery WHERE status = 'DELIVERED'");
        return Number(row.n) === 60;
      });
      const got = receiver.received.map((r) => r.headers['x-delivery-id']);
      expect(new Set(got)).toEqual(new Set(ids));
      expect(got).toHaveLength(60);
    } finally {
      await second.stop();
      await first.stop();
      await receiver.close();
    }
  });
});
