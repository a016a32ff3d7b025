import type { Logger } from '../shared/logger';
import type { StillHeld } from '../jobs/periodic-job';
import { DeliveryStatus } from './delivery.model';
import type { DeliveryRepository } from './delivery.repository';

/** The lease name of the job (job_lease.name). */
export const DELIVERY_RETENTION_JOB = 'delivery-retention';

/** Rows deleted per statement: short statements, short row locks, a small undo log. */
export const RETENTION_BATCH = 500;
/** Between two batches, so a large backlog does not monopolize the database. */
const PAUSE_MS = 20;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes DELIVERED rows delivered more than `days` ago and DEAD rows whose
 * last attempt is that old, in batches of RETENTION_BATCH, for as long as the
 * job's lease is held. PENDING rows are never touched: a DEAD row that was
 * retried is PENDING again and starts a new life.
 */
export function deliveryRetention(
  outbox: DeliveryRepository,
  days: number,
  log: Logger,
): (stillHeld: StillHeld) => Promise<void> {
  return async (stillHeld) => {
    const before = Date.now() - days * DAY_MS;
    const deleted: Record<string, number> = {};
    for (const status of [DeliveryStatus.DELIVERED, DeliveryStatus.DEAD] as const) {
      deleted[status] = 0;
      while (await stillHeld()) {
        const n = await outbox.deleteExpired(status, before, RETENTION_BATCH);
        deleted[status] += n;
        if (n < RETENTION_BATCH) break;
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      }
    }
    if (deleted.DELIVERED + deleted.DEAD > 0) log.info({ deleted, days }, 'delivery retention: old rows deleted');
  };
}
