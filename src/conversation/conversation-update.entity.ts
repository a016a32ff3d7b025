import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import type { ConversationStatus } from '../activity/activity.entity';
import { WorkspaceEntity } from '../auth/workspace.entity';
import { ForeignIdColumn, TimestampColumn } from '../db/columns';
import type { ConversationUpdateOutcome } from './conversation.model';

/**
 * The answer given to an updateConversation call with a clientEventId, kept
 * so a retry gets the same answer (the primary key settles concurrent
 * retries: one writes it, the others read it).
 */
@Entity('conversation_update')
export class ConversationUpdateEntity {
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_conversation_update_workspace', onDelete: 'CASCADE' })
  @PrimaryColumn({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId: string;

  @PrimaryColumn({ name: 'client_event_id', type: 'varchar', length: 128 })
  clientEventId: string;

  /** The engagement; no foreign key, as for deliveries: the answer outlives nothing it needs. */
  @ForeignIdColumn({ name: 'activity_id' })
  activityId: string;

  /** SHA-256 of the call's content: the same key with other content is a CONFLICT. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash: string;

  /** The status the call asked for. */
  @Column({ type: 'varchar', length: 16 })
  status: ConversationStatus;

  @Column({ type: 'varchar', length: 32 })
  outcome: ConversationUpdateOutcome;

  @TimestampColumn({ name: 'created_at' })
  createdAt: Date;
}
