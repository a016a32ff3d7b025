import { Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { EpochMsColumn, ForeignIdColumn } from '../db/columns';
import { CampaignEntity } from './campaign.entity';

/**
 * ONCE / ONCE_EVERY state per (campaign, person): the primary key makes
 * qualifying race-safe (of concurrent transactions, one claims the row).
 */
@Entity('campaign_qualification')
@Index('idx_campaign_qualification_person', ['personId'])
export class CampaignQualificationEntity {
  @ForeignKey(() => CampaignEntity, { name: 'fk_campaign_qualification_campaign', onDelete: 'CASCADE' })
  @PrimaryColumn({ name: 'campaign_id', type: 'varchar', length: 36 })
  campaignId: string;

  @PrimaryColumn({ name: 'person_id', type: 'varchar', length: 36 })
  personId: string;

  @ForeignIdColumn({ name: 'workspace_id' })
  workspaceId: string;

  @EpochMsColumn({ name: 'last_run_at' })
  lastRunAt: number;

  /** Which run claimed the row last: tells the claimer it won an insert-or-ignore race. */
  @ForeignIdColumn({ name: 'run_id' })
  runId: string;
}
