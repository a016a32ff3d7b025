import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildServer, type ChildServer } from './helpers/child-server';
import { createTestDatabase, databaseKind, type TestDatabase } from './helpers/database';
import { eventually, startReceiver, verifySignature, type Received } from './helpers/delivery-receiver';
import { recordManyMutation } from './helpers/record';
import { createDataSource } from '../src/db/data-source';

const SECRET = 'durability-signing-secret';
const chat = { kind: 'DIALOGUE', id: 'c', name: 'C' };

async function gql(server: ChildServer, key: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: any[] };
  expect(body.errors).toBeUndefined();
  return body.data;
}

async function enableAndRecord(server: ChildServer, key: string, receiverUrl: string, count: number): Promise<void> {
  await gql(
    server,
    key,
    'mutation($input: SalesInsightSettingsInput!) { updateSalesInsightSettings(input: $input) { enabled } }',
    {
      input: { enabled: true, endpointUrl: receiverUrl, signingSecret: SECRET, activityTypes: ['GOAL_ACHIEVED'] },
    },
  );
  const data = await gql(server, key, recordManyMutation('payload { outcome }'), {
    inputs: Array.from({ length: count }, (_, i) => ({
      type: 'GOAL_ACHIEVED',
      goal: `g${i}`,
      visitorId: `v${i}`,
      sessionId: 's',
      chat,
    })),
  });
  expect(data.recordChatActivities.every((r: any) => r.payload.outcome === 'RECORDED')).toBe(true);
}

/** Every request carries a delivery id, its body and a valid signature; a repeated id always carries the same body. */
function checkRequests(received: readonly Received[]): Map<string, string> {
  const bodyById = new Map<string, string>();
  for (const request of received) {
    const id = request.headers['x-delivery-id'] as string;
    expect(verifySignature(SECRET, request.body, request.headers['x-signature'])).toBe(true);
    expect(JSON.parse(request.body).deliveryId).toBe(id);
    if (bodyById.has(id)) expect(request.body).toBe(bodyById.get(id));
    bodyById.set(id, request.body);
  }
  return bodyById;
}

describe('delivery worker processes', () => {
  let database: TestDatabase;
  let keyDir: string;
  let env: Record<string, string>;
  let key: string;
  const children: ChildServer[] = [];

  beforeEach(async () => {
    database = await createTestDatabase();
    keyDir = mkdtempSync(join(tmpdir(), 'dca-keyfile-'));
    key = `dca_test_${randomBytes(16).toString('hex')}`;
    env = {
      BOOTSTRAP_API_KEY: key,
      // No SECRETS_KEY: the generated key file must survive the restart for the stored signing secret to stay usable.
      SECRETS_KEY_FILE: join(keyDir, 'keys', 'secrets.key'),
      RATE_LIMIT_PER_KEY_PER_SECOND: '0',
      DELIVERY_POLL_MS: '50',
      DELIVERY_TIMEOUT_MS: '1000',
      DELIVERY_BACKOFF_BASE_MS: '50',
      DELIVERY_MAX_ATTEMPTS: '50',
      DELIVERY_CONCURRENCY: '8',
      LOG_LEVEL: 'debug',
    };
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
      await child.exited;
    }
    await database.drop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  const start = async () => {
    const child = await startChildServer(database.config, env);
    children.push(child);
    return child;
  };

  const statuses = async () => {
    const ds = createDataSource(database.config);
    await ds.initialize();
    try {
      return await ds.query<
        Array<{
          id: string;
          status: string;
          attempts: number;
          lease_owner: string | null;
        }>
      >('SELECT id, status, attempts, lease_owner FROM delivery');
    } finally {
      await ds.destroy();
    }
  };

  it('SIGKILL with deliveries claimed and queued: after a restart every one is delivered, none lost', async () => {
    let answering = false;
    const receiver = await startReceiver(() => (answering ? { status: 200 } : 'hang'));
    try {
      const first = await start();
      await enableAndRecord(first, key, receiver.url, 30);
      // The first claims are in flight (the receiver holds them); the rest wait in the outbox.
      await receiver.waitFor(8);
      first.process.kill('SIGKILL');
      await first.exited;

      const afterCrash = await statuses();
      expect(afterCrash).toHaveLength(30);
      expect(afterCrash.every((d) => d.status === 'PENDING')).toBe(true);
      expect(afterCrash.filter((d) => d.lease_owner !== null).length).toBeGreaterThanOrEqual(8);

      answering = true;
      const second = await start();
      // The unclaimed ones at once, the claimed ones when the dead instance's leases expire.
      const final = await eventually(async () => {
        const rows = await statuses();
        return rows.every((d) => d.status === 'DELIVERED') && rows;
      }, 30_000);
      const bodyById = checkRequests(receiver.received);
      expect(new Set(bodyById.keys())).toEqual(new Set(final.map((d) => d.id)));
      // Redelivered only what the killed process had in flight, always under the same id.
      expect(receiver.received.length).toBeLessThanOrEqual(
        30 + afterCrash.filter((d) => d.lease_owner !== null).length,
      );
      second.process.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      // Neither the signing secret nor the key that encrypts it is ever logged; where the generated key lives is.
      const keyText = readFileSync(env.SECRETS_KEY_FILE, 'utf8').trim();
      for (const output of [first.output(), second.output()]) {
        expect(output).not.toContain(SECRET);
        expect(output).not.toContain(keyText);
      }
      expect(first.output()).toContain(env.SECRETS_KEY_FILE);
    } finally {
      await receiver.close();
    }
  });

  (databaseKind() === 'mysql' ? it : it.skip)(
    'two instances on one MariaDB database deliver each delivery once',
    async () => {
      const receiver = await startReceiver(async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { status: 200 };
      });
      try {
        const first = await start();
        const second = await start();
        await enableAndRecord(first, key, receiver.url, 60);
        const final = await eventually(async () => {
          const rows = await statuses();
          return rows.length === 60 && rows.every((d) => d.status === 'DELIVERED') && rows;
        }, 30_000);
        expect(final.every((d) => Number(d.attempts) === 1)).toBe(true);
        const ids = receiver.received.map((r) => r.headers['x-delivery-id']);
        expect(ids).toHaveLength(60);
        expect(new Set(ids)).toEqual(new Set(final.map((d) => d.id)));
        checkRequests(receiver.received);
        // Both took part: the work was shared, not merely done by one while the other idled.
        const deliveredBy = (child: ChildServer) =>
          child
            .output()
            .split('\n')
            .filter((line) => line.includes('"msg":"delivered"')).length;
        // The log line follows the database update: wait for the last ones to reach stdout.
        await eventually(async () => deliveredBy(first) + deliveredBy(second) >= 60);
        expect(deliveredBy(first) + deliveredBy(second)).toBe(60);
        expect(deliveredBy(first)).toBeGreaterThan(0);
        expect(deliveredBy(second)).toBeGreaterThan(0);
      } finally {
        await receiver.close();
      }
    },
  );
});
