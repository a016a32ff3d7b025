import type { EntityManager } from 'typeorm';
import {
  ActivityEntity,
  CONVERSATION_STATUS_RANK,
  ChatActivityType,
  type ConversationStatus,
} from '../activity/activity.entity';
import { execAffected, insertOrIgnore, placeholders, selectEntities } from '../db/sql';
import { ConversationUpdateEntity } from './conversation-update.entity';

/** The SQL of conversation updates: the engagement's status and the kept answers. */
export class ConversationRepository {
  /** The session's engagement, by its once-per-session key (the unique index uq_activity_once). */
  async engagement(tx: EntityManager, workspaceId: string, onceKey: string): Promise<ActivityEntity | null> {
    const [row] = await selectEntities(
      tx,
      ActivityEntity,
      'a',
      'WHERE a.workspace_id = ? AND a.once_key = ? AND a.type = ?',
      [workspaceId, onceKey, ChatActivityType.ENGAGED],
    );
    return row ?? null;
  }

  /** The row as it is now (READ COMMITTED on MySQL: the latest committed status). */
  async activity(tx: EntityManager, id: string): Promise<ActivityEntity> {
    const [row] = await selectEntities(tx, ActivityEntity, 'a', 'WHERE a.id = ?', [id]);
    if (!row) throw new Error(`activity ${id} vanished during a conversation update`);
    return row;
  }

  /**
   * Moves the status forward in one conditional UPDATE: it applies only
   * where the stored status ranks lower, so of concurrent updates none can
   * move it back, whatever order they commit in. True when it moved.
   */
  async moveForward(tx: EntityManager, activityId: string, status: ConversationStatus): Promise<boolean> {
    const lower = (Object.keys(CONVERSATION_STATUS_RANK) as ConversationStatus[]).filter(
      (s) => CONVERSATION_STATUS_RANK[s] < CONVERSATION_STATUS_RANK[status],
    );
    if (lower.length === 0) return false;
    const affected = await execAffected(
      tx,
      `UPDATE activity SET conversation_status = ? WHERE id = ? AND conversation_status IN (${placeholders(lower.length)})`,
      [status, activityId, ...lower],
    );
    return affected > 0;
  }

  /** Claims the clientEventId for this answer; false when another call holds it (read it with `answer`). */
  async claim(tx: EntityManager, row: ConversationUpdateEntity): Promise<boolean> {
    const affected = await execAffected(
      tx,
      `${insertOrIgnore(tx)} INTO conversation_update (workspace_id, client_event_id, activity_id, request_hash, status, outcome, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        row.workspaceId,
        row.clientEventId,
        row.activityId,
        row.requestHash,
        row.status,
        row.outcome,
        row.createdAt.getTime(),
      ],
    );
    return affected > 0;
  }

  async answer(
    tx: EntityManager,
    workspaceId: string,
    clientEventId: string,
  ): Promise<ConversationUpdateEntity | null> {
    const [row] = await selectEntities(
      tx,
      ConversationUpdateEntity,
      'u',
      'WHERE u.workspace_id = ? AND u.client_event_id = ?',
      [workspaceId, clientEventId],
    );
    return row ?? null;
  }

  async settle(tx: EntityManager, row: ConversationUpdateEntity): Promise<void> {
    await tx.query('UPDATE conversation_update SET outcome = ? WHERE workspace_id = ? AND client_event_id = ?', [
      row.outcome,
      row.workspaceId,
      row.clientEventId,
    ]);
  }
}
