import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { bigintNumber, EpochMsColumn, ForeignIdColumn, IdColumn, JsonColumn } from '../db/columns';
import { CampaignEntity } from './campaign.entity';
import type { StepResult } from './campaign.model';

/** A person's run through a campaign's flow, numbered per campaign (`seq`, the subscription cursor). */
@Entity('campaign_run')
@Index('uq_campaign_run_seq', ['campaignId', 'seq'], { unique: true })
@Index('idx_campaign_run_person_campaign', ['personId', 'campaignId', 'triggeredAt'])
export class CampaignRunEntity {
  @IdColumn()
  id: string;

  @ForeignIdColumn({ name: 'workspace_id' })
  workspaceId: string;

  @ForeignKey(() => CampaignEntity, { name: 'fk_campaign_run_campaign', onDelete: 'CASCADE' })
  @ForeignIdColumn({ name: 'campaign_id' })
  campaignId: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  seq: number;

  @ForeignIdColumn({ name: 'person_id' })
  personId: string;

  @ForeignIdColumn({ name: 'activity_id' })
  activityId: string;

  @EpochMsColumn({ name: 'triggered_at' })
  triggeredAt: number;

  @JsonColumn<StepResult[]>()
  steps: StepResult[];
}
