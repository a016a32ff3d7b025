import { globalId, rawId } from './helpers/ids';
import { randomBytes } from 'node:crypto';
import { startChildServer } from './helpers/child-server';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { recordMutation } from './helpers/record';
import { createDataSource } from '../src/db/data-source';

// Sent by hand to a child process; a retry's answer is compared whole.
const RECORD = recordMutation('outcome activity { id }');

describe('SIGKILL during a write load', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('keeps every acknowledged activity, once, and a retry of the unacknowledged ones stores each at most once', async () => {
    const key = `dca_test_${randomBytes(16).toString('hex')}`;
    const env = { BOOTSTRAP_API_KEY: key, LOG_LEVEL: 'warn', RATE_LIMIT_PER_KEY_PER_SECOND: '0' };
    const server = await startChildServer(database.config, { ...env, LOG_LEVEL: 'info' });
    const acknowledged = new Map<string, string>();
    const inFlight = new Set<string>();
    let stop = false;
    let seq = 0;
    const send = async (url: string, clientEventId: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({
          query: RECORD,
          // Derived from the key alone, so a retry sends the very same content.
          variables: {
            input: {
              clientEventId,
              type: 'GOAL_ACHIEVED',
              goal: 'g',
              visitorId: `v${Number(clientEventId.split('-')[1]) % 50}`,
              sessionId: 's',
              chat: { kind: 'DIALOGUE', id: 'c', name: 'C' },
            },
          },
        }),
      });
      return (await res.json()) as { data?: { recordChatActivity: { outcome: string; activity: { id: string } } } };
    };
    const client = async () => {
      while (!stop) {
        const clientEventId = `crash-${seq++}`;
        inFlight.add(clientEventId);
        try {
          const body = await send(server.url, clientEventId);
          if (body.data) acknowledged.set(clientEventId, body.data.recordChatActivity.activity.id);
          inFlight.delete(clientEventId);
        } catch {
          // The connection died with the server: this one was never acknowledged.
          return;
        }
      }
    };
    const clients = Array.from({ length: 64 }, client);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    server.process.kill('SIGKILL');
    await server.exited;
    stop = true;
    await Promise.all(clients);
    expect(acknowledged.size).toBeGreaterThan(50);

    const restarted = await startChildServer(database.config, { ...env, LOG_LEVEL: 'info' });
    try {
      const ds = createDataSource(database.config);
      await ds.initialize();
      try {
        const rows: Array<{ id: string; client_event_id: string }> = await ds.query(
          "SELECT id, client_event_id FROM activity WHERE client_event_id LIKE 'crash-%'",
        );
        const stored = new Map(rows.map((r) => [r.client_event_id, r.id]));
        expect(stored.size).toBe(rows.length);
        for (const [clientEventId, id] of acknowledged) expect(stored.get(clientEventId)).toBe(rawId(id));

        // The widget retries what it never heard back about: each is stored at most once.
        for (const clientEventId of inFlight) {
          const body = await send(restarted.url, clientEventId);
          expect(['RECORDED', 'DUPLICATE_REQUEST']).toContain(body.data?.recordChatActivity.outcome);
          if (stored.has(clientEventId))
            expect(body.data?.recordChatActivity).toEqual({
              outcome: 'DUPLICATE_REQUEST',
              activity: { id: globalId('Activity', stored.get(clientEventId)!) },
            });
        }
        const counts: Array<{ n: number | string }> = await ds.query(
          "SELECT COUNT(*) AS n FROM activity WHERE client_event_id LIKE 'crash-%' GROUP BY client_event_id HAVING COUNT(*) > 1",
        );
        expect(counts).toEqual([]);
      } finally {
        await ds.destroy();
      }
    } finally {
      restarted.process.kill('SIGTERM');
      await restarted.exited;
    }
  });
});
