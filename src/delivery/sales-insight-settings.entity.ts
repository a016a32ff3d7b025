import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import type { ChatActivityType } from '../activity/activity.entity';
import { WorkspaceEntity } from '../auth/workspace.entity';
import { FlagColumn, JsonColumn, TimestampColumn } from '../db/columns';

/** A workspace's Sales Insight settings: one row, created on the first update. */
@Entity('sales_insight_settings')
export class SalesInsightSettingsEntity {
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_sis_workspace', onDelete: 'CASCADE' })
  @PrimaryColumn({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId: string;

  @FlagColumn()
  enabled: boolean;

  @Column({ name: 'endpoint_url', type: 'varchar', length: 2048, nullable: true })
  endpointUrl: string | null;

  /** Encrypted (AES-256-GCM, see secret-box.ts), not hashed: the worker needs it to sign. Never returned. */
  @Column({ name: 'signing_secret_enc', type: 'varchar', length: 1024, nullable: true })
  signingSecretEnc: string | null;

  @JsonColumn<ChatActivityType[]>({ name: 'activity_types', type: 'varchar', length: 1024 })
  activityTypes: ChatActivityType[];

  @TimestampColumn({ name: 'updated_at' })
  updatedAt: Date;
}
