import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { DeliveryRepository } from './delivery/delivery.repository';
import { DELIVERY_RETENTION_JOB, deliveryRetention } from './delivery/delivery-retention';
import type { DeliveryService } from './delivery/delivery.service';
import { DeliveryWorker } from './delivery/delivery.worker';
import { JobLeaseRepository } from './jobs/job-lease.repository';
import { PeriodicJob } from './jobs/periodic-job';
import type { AppMetrics } from './metrics/metrics';
import type { Logger } from './shared/logger';

export interface Workers {
  start(): void;
  /** Hands claimed deliveries back and waits for the running job. */
  stop(): Promise<void>;
}

/**
 * The background work of an instance: the outbox worker and the delivery
 * retention job. Every instance runs both; leased claims keep two instances
 * from sending one delivery, and the job's lease lets one of them trim per
 * interval.
 */
export function createWorkers(
  dataSource: DataSource,
  deliveries: DeliveryService,
  config: Config,
  log: Logger,
  metrics: AppMetrics,
  options: { deliveryRandom?: () => number } = {},
): Workers {
  const deliveryWorker = new DeliveryWorker(dataSource, deliveries, config.delivery, log, {
    random: options.deliveryRandom,
    outbound: { allowPrivate: config.outboundAllowPrivate },
    metrics,
  });
  const retention =
    config.retention.deliveryDays > 0
      ? new PeriodicJob(
          new JobLeaseRepository(dataSource),
          { name: DELIVERY_RETENTION_JOB, intervalMs: config.retention.intervalMs },
          deliveryRetention(new DeliveryRepository(dataSource), config.retention.deliveryDays, log),
          log,
        )
      : undefined;
  return {
    start() {
      deliveryWorker.start();
      retention?.start();
    },
    async stop() {
      await retention?.stop();
      await deliveryWorker.stop();
    },
  };
}
