import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { WorkspaceEntity } from '../auth/workspace.entity';
import { PersonEntity } from '../person/person.entity';
import { ForeignIdColumn, IdColumn, SequenceColumn, TimestampColumn } from '../db/columns';

/** Values are stored; never rename them. */
export enum ChatActivityType {
  TRIGGERED = 'TRIGGERED',
  ENGAGED = 'ENGAGED',
  ENGAGED_WITH_AGENT = 'ENGAGED_WITH_AGENT',
  INTERACTED_WITH_DOCUMENT = 'INTERACTED_WITH_DOCUMENT',
  GOAL_ACHIEVED = 'GOAL_ACHIEVED',
  MEETING_SCHEDULED = 'MEETING_SCHEDULED',
  LINK_CLICKED = 'LINK_CLICKED',
}

/** Stored at most once per (workspace, visitor, session, chat, type). */
export const ONCE_PER_SESSION_TYPES: ReadonlySet<ChatActivityType> = new Set([
  ChatActivityType.TRIGGERED,
  ChatActivityType.ENGAGED,
  ChatActivityType.ENGAGED_WITH_AGENT,
]);

export enum ChatKind {
  DIALOGUE = 'DIALOGUE',
  CONVERSATIONAL_FLOW = 'CONVERSATIONAL_FLOW',
}

export enum PromptType {
  MULTIPLE_CHOICE = 'MULTIPLE_CHOICE',
  SUBMIT_INFO = 'SUBMIT_INFO',
  BOOK_MEETING = 'BOOK_MEETING',
  OPEN_DOCUMENT = 'OPEN_DOCUMENT',
  FREE_TEXT = 'FREE_TEXT',
}

export enum MeetingStatus {
  SCHEDULED = 'SCHEDULED',
  RESCHEDULED = 'RESCHEDULED',
  CANCELLED = 'CANCELLED',
}

/**
 * An engagement's conversation (ENGAGED only). Statuses only move forward:
 * INITIATED, then DROPPED, then COMPLETED (a dropped conversation the visitor
 * resumes may still complete; a completed one is final). Values are stored;
 * never rename them.
 */
export enum ConversationStatus {
  INITIATED = 'INITIATED',
  DROPPED = 'DROPPED',
  COMPLETED = 'COMPLETED',
}

/** Forward order of conversation statuses: a status may replace only those ranked lower. */
export const CONVERSATION_STATUS_RANK: Readonly<Record<ConversationStatus, number>> = {
  [ConversationStatus.INITIATED]: 0,
  [ConversationStatus.DROPPED]: 1,
  [ConversationStatus.COMPLETED]: 2,
};

/**
 * One recorded chat activity: a single wide table (type-specific columns are
 * null for other types) so the timeline and smart-list filters are plain
 * indexed queries, with no joins per type.
 */
@Entity('activity')
@Index('uq_activity_client_event', ['workspaceId', 'clientEventId'], { unique: true })
@Index('uq_activity_once', ['workspaceId', 'onceKey'], { unique: true })
@Index('idx_activity_person_time', ['personId', 'occurredAt', 'id'])
@Index('uq_activity_stream', ['workspaceId', 'streamSeq'], { unique: true })
// A booking's rows, latest last: meetingCurrentStatus reads the newest (migration 1764000000620).
@Index('idx_activity_meeting', ['workspaceId', 'meetingId', 'occurredAt', 'id'])
// Smart-list and campaign filter probes read only this index (migration 1764000000006).
@Index('idx_activity_person_filter', [
  'personId',
  'type',
  'occurredAt',
  'chatId',
  'goal',
  'documentId',
  'agentId',
  'chatKind',
  'meetingStatus',
])
export class ActivityEntity {
  @IdColumn()
  id: string;

  @ForeignKey(() => WorkspaceEntity, { name: 'fk_activity_workspace', onDelete: 'CASCADE' })
  @ForeignIdColumn({ name: 'workspace_id' })
  workspaceId: string;

  @ForeignKey(() => PersonEntity, { name: 'fk_activity_person' })
  @ForeignIdColumn({ name: 'person_id' })
  personId: string;

  @Column({ type: 'varchar', length: 32 })
  type: ChatActivityType;

  @TimestampColumn({ name: 'occurred_at' })
  occurredAt: Date;

  @TimestampColumn({ name: 'recorded_at' })
  recordedAt: Date;

  @Column({ name: 'visitor_id', type: 'varchar', length: 128 })
  visitorId: string;

  @Column({ name: 'session_id', type: 'varchar', length: 128 })
  sessionId: string;

  @Column({ name: 'chat_kind', type: 'varchar', length: 32 })
  chatKind: ChatKind;

  @Column({ name: 'chat_id', type: 'varchar', length: 128 })
  chatId: string;

  @Column({ name: 'chat_name', type: 'varchar', length: 255 })
  chatName: string;

  @Column({ name: 'page_url', type: 'varchar', length: 2048, nullable: true })
  pageUrl: string | null;

  /** Idempotency key chosen by the client; unique per workspace. */
  @Column({ name: 'client_event_id', type: 'varchar', length: 128, nullable: true })
  clientEventId: string | null;

  /** SHA-256 of the normalized input: a retry with the same clientEventId but other content is a CONFLICT. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64, nullable: true })
  requestHash: string | null;

  /** SHA-256 of (visitor, session, chat, type) for once-per-session types, null otherwise; unique per workspace. */
  @Column({ name: 'once_key', type: 'varchar', length: 64, nullable: true })
  onceKey: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  prompt: PromptType | null;

  @Column({ name: 'agent_id', type: 'varchar', length: 128, nullable: true })
  agentId: string | null;

  @Column({ name: 'agent_name', type: 'varchar', length: 255, nullable: true })
  agentName: string | null;

  @Column({ name: 'document_id', type: 'varchar', length: 128, nullable: true })
  documentId: string | null;

  @Column({ name: 'document_name', type: 'varchar', length: 255, nullable: true })
  documentName: string | null;

  @Column({ name: 'document_url', type: 'varchar', length: 2048, nullable: true })
  documentUrl: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  goal: string | null;

  @TimestampColumn({ name: 'meeting_starts_at', nullable: true })
  meetingStartsAt: Date | null;

  @Column({ name: 'meeting_duration_minutes', type: 'int', nullable: true })
  meetingDurationMinutes: number | null;

  @Column({ name: 'meeting_status', type: 'varchar', length: 16, nullable: true })
  meetingStatus: MeetingStatus | null;

  /** The booking's id (MeetingInput.id): ties a reschedule or cancellation to its booking. */
  @Column({ name: 'meeting_id', type: 'varchar', length: 128, nullable: true })
  meetingId: string | null;

  /** LINK_CLICKED only. */
  @Column({ name: 'link_url', type: 'varchar', length: 2048, nullable: true })
  linkUrl: string | null;

  @Column({ name: 'link_text', type: 'varchar', length: 255, nullable: true })
  linkText: string | null;

  /** ENGAGED only: INITIATED when recorded, moved forward by updateConversation (a conditional UPDATE). */
  @Column({ name: 'conversation_status', type: 'varchar', length: 16, nullable: true })
  conversationStatus: ConversationStatus | null;

  /**
   * Position in the workspace's activity stream (activityRecorded), in commit
   * order: assigned at the end of the recording transaction, under the
   * workspace's activity_stream_head row lock (see ActivityRepository).
   */
  @SequenceColumn({ name: 'stream_seq', nullable: true })
  streamSeq: number | null;
}
