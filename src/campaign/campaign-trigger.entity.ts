import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import type { ChatActivityType } from '../activity/activity.entity';
import { ForeignIdColumn } from '../db/columns';
import { CampaignEntity } from './campaign.entity';

/** One row per activity type a campaign's triggers name: the write path finds candidates by (workspace, type). */
@Entity('campaign_trigger')
@Index('idx_campaign_trigger_type', ['workspaceId', 'activityType'])
export class CampaignTriggerEntity {
  @ForeignKey(() => CampaignEntity, { name: 'fk_campaign_trigger_campaign', onDelete: 'CASCADE' })
  @PrimaryColumn({ name: 'campaign_id', type: 'varchar', length: 36 })
  campaignId: string;

  @PrimaryColumn({ type: 'int' })
  position: number;

  @ForeignIdColumn({ name: 'workspace_id' })
  workspaceId: string;

  @Column({ name: 'activity_type', type: 'varchar', length: 32 })
  activityType: ChatActivityType;
}
