import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { CampaignRepository } from './campaign/campaign.repository';
import { withDeadline } from './db/deadline';
import { poolCounts } from './db/mysql-driver';
import { isMysql } from './db/sql';
import { DeliveryRepository } from './delivery/delivery.repository';
import type { AppMetrics } from './metrics/metrics';

/** PENDING and DEAD rows are counted up to this many each: a scrape's query stays bounded. */
export const OUTBOX_COUNT_CAP = 10_000;
/** A scrape-time query that takes longer is abandoned (the gauges keep their last values). */
const READ_DEADLINE_MS = 2_000;

/**
 * The metrics read from the database when Prometheus scrapes: the pool
 * (MySQL/MariaDB only: SQLite has one connection, used synchronously, so
 * there is no pool to report), the outbox, and which labelled campaigns
 * still exist. Every instance reports the same outbox figures (they are the
 * database's): aggregate them with max(), not sum().
 */
export function registerDatabaseReadings(metrics: AppMetrics, dataSource: DataSource, config: Config): void {
  if (isMysql(dataSource)) {
    const pool = (dataSource.driver as unknown as { pool: unknown }).pool;
    metrics.readPool(() => {
      const counts = poolCounts(pool);
      return {
        size: config.database.poolSize,
        open: counts.all,
        inUse: counts.all - counts.free,
        waiting: counts.waiting,
      };
    });
  }
  const outbox = new DeliveryRepository(dataSource);
  metrics.readOutbox(async () => {
    const now = Date.now();
    const counts = await withDeadline(now + READ_DEADLINE_MS, () => outbox.outboxCounts(OUTBOX_COUNT_CAP, now));
    return {
      pending: counts.pending,
      dead: counts.dead,
      oldestDueAgeSeconds: counts.oldestDueAt === null ? 0 : Math.max(0, now - counts.oldestDueAt) / 1000,
    };
  }, OUTBOX_COUNT_CAP);
  const campaigns = new CampaignRepository(dataSource);
  metrics.pruneCampaigns((ids) => withDeadline(Date.now() + READ_DEADLINE_MS, () => campaigns.existingIds(ids)));
}
