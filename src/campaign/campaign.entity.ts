import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { WorkspaceEntity } from '../auth/workspace.entity';
import { bigintNumber, EpochMsColumn, FlagColumn, ForeignIdColumn, IdColumn, JsonColumn } from '../db/columns';
import type { CampaignDef } from './campaign.model';

/**
 * A campaign: its definition, stored parsed (JSON), and the last run sequence
 * number allocated. Times are epoch ms: the row rides every published run.
 */
@Entity('campaign')
@Index('idx_campaign_workspace', ['workspaceId', 'id'])
export class CampaignEntity {
  @IdColumn()
  id: string;

  @ForeignKey(() => WorkspaceEntity, { name: 'fk_campaign_workspace', onDelete: 'CASCADE' })
  @ForeignIdColumn({ name: 'workspace_id' })
  workspaceId: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'varchar', length: 1024, nullable: true })
  description: string | null;

  @FlagColumn()
  active: boolean;

  @JsonColumn<CampaignDef>()
  definition: CampaignDef;

  /** The last run sequence number allocated, under the row lock that orders runs; changes with every run, so not read with the row. */
  @Column({ name: 'run_seq', type: 'bigint', default: 0, transformer: bigintNumber, select: false })
  runSeq?: number;

  @EpochMsColumn({ name: 'created_at' })
  createdAt: number;

  /** Also the definition's version: every change moves it forward (write-path caches key on it). */
  @EpochMsColumn({ name: 'updated_at' })
  updatedAt: number;
}
