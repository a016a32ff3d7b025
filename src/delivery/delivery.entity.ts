import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { WorkspaceEntity } from '../auth/workspace.entity';
import { ForeignIdColumn, IdColumn, TimestampColumn } from '../db/columns';
import type { DeliveryKind, DeliveryStatus } from './delivery.model';

/**
 * One outbox row: written in the transaction of what caused it, sent by the
 * worker, which leases it (leaseOwner, leaseUntil) while it sends.
 */
@Entity('delivery')
// The worker's due query: status = PENDING AND next_attempt_at <= now.
@Index('idx_delivery_due', ['status', 'nextAttemptAt'])
// `deliveries` lists newest first (UUIDv7 ids are time-ordered), optionally by status or kind.
@Index('idx_delivery_ws', ['workspaceId', 'id'])
@Index('idx_delivery_ws_status', ['workspaceId', 'status', 'id'])
@Index('idx_delivery_ws_kind', ['workspaceId', 'kind', 'id'])
// Retention: DELIVERED and DEAD rows by their last attempt (a delivered row's last attempt is its delivery).
@Index('idx_delivery_retention', ['status', 'lastAttemptAt'])
export class DeliveryEntity {
  @IdColumn()
  id: string;

  @ForeignKey(() => WorkspaceEntity, { name: 'fk_delivery_workspace', onDelete: 'CASCADE' })
  @ForeignIdColumn({ name: 'workspace_id' })
  workspaceId: string;

  @Column({ type: 'varchar', length: 32 })
  kind: DeliveryKind;

  @Column({ type: 'varchar', length: 16 })
  status: DeliveryStatus;

  @ForeignIdColumn({ name: 'activity_id', nullable: true })
  activityId: string | null;

  /** No foreign key: campaign runs are another feature's table, and a delivery outlives what caused it. */
  @ForeignIdColumn({ name: 'campaign_run_id', nullable: true })
  campaignRunId: string | null;

  /** WEBHOOK only; the Sales Insight kinds use the endpoint configured when they are sent. */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  url: string | null;

  /** The exact body POSTed (and signed). Only the worker reads it: not selected unless asked for. */
  @Column({ type: 'text', select: false })
  payload?: string;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true })
  lastError: string | null;

  @TimestampColumn({ name: 'last_attempt_at', nullable: true })
  lastAttemptAt: Date | null;

  @TimestampColumn({ name: 'next_attempt_at', nullable: true })
  nextAttemptAt: Date | null;

  @TimestampColumn({ name: 'delivered_at', nullable: true })
  deliveredAt: Date | null;

  @TimestampColumn({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'lease_owner', type: 'varchar', length: 64, nullable: true })
  leaseOwner: string | null;

  @TimestampColumn({ name: 'lease_until', nullable: true })
  leaseUntil: Date | null;

  /** The W3C traceparent of what caused it (tracing on): each attempt's span, and the POST, continue that trace. */
  @Column({ name: 'trace_parent', type: 'varchar', length: 64, nullable: true })
  traceParent: string | null;
}
