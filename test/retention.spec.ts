import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src/db/data-source';
import { deliveryRetention } from '../src/delivery/delivery-retention';
import { DeliveryRepository } from '../src/delivery/delivery.repository';
import { JobLeaseRepository } from '../src/jobs/job-lease.repository';
import { PeriodicJob } from '../src/jobs/periodic-job';
import { createLogger } from '../src/shared/logger';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { eventually } from './helpers/delivery-receiver';
import { startTestServer, type TestServer } from './helpers/server';

const DAY = 24 * 60 * 60 * 1000;
const RETRY = `mutation($id: ID!) { retryDelivery(id: $id) { id status } }`;
const log = createLogger('silent');

describe('delivery retention', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Retention off at first: the rows are laid out before the job looks at them.
    server = await startTestServer({ config: { retention: { deliveryDays: 0, intervalMs: 60_000 } } });
  });
  afterAll(() => server.stop());

  async function insert(
    status: 'PENDING' | 'DELIVERED' | 'DEAD',
    ageDays: number,
    options: { nextAttemptAt?: number } = {},
  ): Promise<string> {
    const id = randomUUID();
    const at = Date.now() - ageDays * DAY;
    await server.app.dataSource.query(
      `INSERT INTO delivery (id, workspace_id, kind, status, url, payload, attempts, last_attempt_at, next_attempt_at, delivered_at, created_at)
       VALUES (?, ?, 'WEBHOOK', ?, 'http://127.0.0.1:9/none', '{}', 1, ?, ?, ?, ?)`,
      [
        id,
        server.workspaceId,
        status,
        at,
        status === 'PENDING' ? (options.nextAttemptAt ?? Date.now() + 3_600_000) : null,
        status === 'DELIVERED' ? at : null,
        at - 1_000,
      ],
    );
    return id;
  }

  const remaining = async (ids: string[]) =>
    (
      await server.app.dataSource.query<Array<{ id: string }>>(
        `SELECT id FROM delivery WHERE id IN (${ids.map(() => '?').join(', ')})`,
        ids,
      )
    )
      .map((r) => r.id)
      .sort();

  it('deletes DELIVERED and DEAD rows older than DELIVERY_RETENTION_DAYS in batches, and keeps pending, recent and retried rows', async () => {
    const oldDelivered = await Promise.all(Array.from({ length: 1_205 }, () => insert('DELIVERED', 31)));
    const oldDead = await Promise.all(Array.from({ length: 3 }, () => insert('DEAD', 45)));
    const kept = [
      await insert('DELIVERED', 29),
      await insert('DEAD', 10),
      // A PENDING row whose last failed attempt is long ago: still being tried, never expired.
      await insert('PENDING', 40),
    ];
    // A DEAD row an operator retried: PENDING again, kept.
    const retried = await insert('DEAD', 60);
    const res = await server.gql(RETRY, { id: retried });
    expect(res.errors).toBeUndefined();
    kept.push(retried);

    const job = new PeriodicJob(
      new JobLeaseRepository(server.app.dataSource),
      { name: 'delivery-retention-test', intervalMs: 60_000 },
      // The job as the server composes it (src/server.ts), on this server's database.
      deliveryRetention(new DeliveryRepository(server.app.dataSource), 30, log),
      log,
    );
    expect(await job.tick()).toBe(true);
    expect(await remaining([...oldDelivered, ...oldDead])).toEqual([]);
    expect(await remaining(kept)).toEqual([...kept].sort());
    const [{ status }] = await server.app.dataSource.query<Array<{ status: string }>>(
      'SELECT status FROM delivery WHERE id = ?',
      [retried],
    );
    expect(status).toBe('PENDING');
    // The interval's lease is taken: a second check within it does nothing.
    expect(await job.tick()).toBe(false);
  });

  it('runs in the server: DELIVERY_RETENTION_DAYS set, old rows go on their own', async () => {
    const database = server.database;
    const other = await startTestServer({
      database,
      adminKey: server.adminKey,
      config: { retention: { deliveryDays: 7, intervalMs: 1_000 } },
    });
    try {
      const old = await insert('DELIVERED', 8);
      const recent = await insert('DELIVERED', 6);
      await eventually(async () => (await remaining([old])).length === 0);
      expect(await remaining([recent])).toEqual([recent]);
    } finally {
      await other.stop();
    }
  });
});

describe('periodic job lease', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    // Migrated by a first server start; the instances below are separate connections to it.
    const first = await startTestServer({ database });
    await first.stop();
    for (let i = 0; i < 3; i += 1) {
      const ds = createDataSource(database.config);
      await ds.initialize();
      sources.push(ds);
    }
  });
  afterAll(async () => {
    await Promise.all(sources.map((ds) => ds.destroy()));
    await database.drop();
  });

  it('of instances asking at the same moment, exactly one takes the lease; it can be taken again only once expired', async () => {
    const repos = sources.map((ds) => new JobLeaseRepository(ds));
    for (let round = 0; round < 5; round += 1) {
      const now = Date.now();
      const name = `race-${round}`;
      const taken = await Promise.all(repos.map((repo, i) => repo.acquire(name, `owner-${i}`, now, now + 60_000)));
      expect(taken.filter(Boolean)).toHaveLength(1);
      const winner = taken.indexOf(true);
      // Held: nobody, the holder included, takes it again before it expires; the holder may extend it.
      expect(await repos[(winner + 1) % 3].acquire(name, 'late', now + 1, now + 60_000)).toBe(false);
      expect(await repos[winner].extend(name, `owner-${winner}`, now + 120_000)).toBe(true);
      expect(await repos[(winner + 1) % 3].extend(name, 'not-the-owner', now + 120_000)).toBe(false);
      // Expired: the next one takes it.
      expect(await repos[(winner + 1) % 3].acquire(name, 'next', now + 120_001, now + 180_000)).toBe(true);
    }
  });

  it('two instances never run the job at once, and it runs once per interval between them', async () => {
    const runs: Array<{ owner: string; start: number; end: number; leaseUntil: number }> = [];
    const jobs = sources.slice(0, 2).map(
      (ds, i) =>
        new PeriodicJob(
          new JobLeaseRepository(ds),
          { name: 'exclusive', intervalMs: 300, checkMs: 20, owner: `instance-${i}` },
          async (stillHeld) => {
            const start = Date.now();
            // The lease this run was given (before it extends it): the next run's must come after it ends.
            const { leaseUntil } = (await new JobLeaseRepository(ds).get('exclusive'))!;
            // A run of several steps, each checking the lease, some lasting longer than the check interval.
            for (let step = 0; step < 3; step += 1) {
              if (!(await stillHeld())) break;
              await new Promise((resolve) => setTimeout(resolve, 40));
            }
            runs.push({ owner: `instance-${i}`, start, end: Date.now(), leaseUntil });
          },
          log,
        ),
    );
    jobs.forEach((job) => job.start());
    await eventually(() => Promise.resolve(runs.length >= 6), 20_000);
    await Promise.all(jobs.map((job) => job.stop()));
    const ordered = [...runs].sort((a, b) => a.start - b.start);
    for (let i = 1; i < ordered.length; i += 1) {
      // Never overlapping, and a whole interval apart: the next lease is taken only once the last one expired.
      expect(ordered[i].start).toBeGreaterThanOrEqual(ordered[i - 1].end);
      expect(ordered[i].leaseUntil - ordered[i - 1].leaseUntil).toBeGreaterThanOrEqual(300);
    }
  });
});
