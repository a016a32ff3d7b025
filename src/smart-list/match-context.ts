import type { EntityManager } from 'typeorm';
import type { ActivityEntity, MeetingStatus } from '../activity/activity.entity';
import { placeholders } from '../db/sql';
import type { MatchContext, MatchableActivity } from './filter.match';
import type { NameConstraint } from './filter.model';

/**
 * The MatchContext of a batch of stored activities, read in the transaction
 * that stored them (names already recorded, see ActivityService.write), with
 * two queries at most: the current names of the entities they name, and the
 * rows of the bookings they belong to. As in SQL (filter.sql.ts), an
 * activity's booking status leaves out the same person's later activities of
 * the batch, which take effect after it.
 */
export async function loadMatchContext(
  tx: EntityManager,
  workspaceId: string,
  activities: readonly ActivityEntity[],
): Promise<MatchContext> {
  const keys = new Map<string, { type: string; id: string }>();
  const key = (type: string, id: string) => `${type}\u0000${id}`;
  for (const a of activities) {
    keys.set(key('CHAT', a.chatId), { type: 'CHAT', id: a.chatId });
    if (a.agentId !== null) keys.set(key('AGENT', a.agentId), { type: 'AGENT', id: a.agentId });
    if (a.documentId !== null) keys.set(key('DOCUMENT', a.documentId), { type: 'DOCUMENT', id: a.documentId });
  }
  const names = new Map<string, string>();
  if (keys.size > 0) {
    const where = [...keys.values()].map(() => '(entry_type = ? AND widget_id = ?)').join(' OR ');
    const rows: Array<{ entry_type: string; widget_id: string; name: string }> = await tx.query(
      `SELECT entry_type, widget_id, name FROM catalog_entry WHERE workspace_id = ? AND (${where})`,
      [workspaceId, ...[...keys.values()].flatMap((k) => [k.type, k.id])],
    );
    for (const row of rows) names.set(key(row.entry_type, row.widget_id), row.name);
  }

  const meetingIds = [...new Set(activities.map((a) => a.meetingId).filter((id): id is string => id !== null))];
  const bookings = new Map<string, Array<{ id: string; at: number; status: MeetingStatus }>>();
  if (meetingIds.length > 0) {
    const rows: Array<{ id: string; meeting_id: string; occurred_at: number | string; meeting_status: MeetingStatus }> =
      await tx.query(
        `SELECT id, meeting_id, occurred_at, meeting_status FROM activity WHERE workspace_id = ? AND meeting_id IN (${placeholders(meetingIds.length)})`,
        [workspaceId, ...meetingIds],
      );
    for (const row of rows) {
      const list = bookings.get(row.meeting_id) ?? [];
      list.push({ id: row.id, at: Number(row.occurred_at), status: row.meeting_status });
      bookings.set(row.meeting_id, list);
    }
  }
  const later = new Map<MatchableActivity, Set<string>>();
  activities.forEach((a, i) =>
    later.set(
      a,
      new Set(
        activities
          .slice(i + 1)
          .filter((b) => b.personId === a.personId)
          .map((b) => b.id),
      ),
    ),
  );

  const ID_OF: Record<NameConstraint, { type: string; id: (a: MatchableActivity) => string | null }> = {
    chatName: { type: 'CHAT', id: (a) => a.chatId },
    agentName: { type: 'AGENT', id: (a) => a.agentId },
    documentName: { type: 'DOCUMENT', id: (a) => a.documentId },
  };
  return {
    currentName: (constraint, activity) => {
      const { type, id } = ID_OF[constraint];
      const widgetId = id(activity);
      return widgetId === null ? null : (names.get(key(type, widgetId)) ?? null);
    },
    meetingCurrentStatus: (activity) => {
      const meetingId = activity.meetingId;
      if (meetingId === null) return activity.meetingStatus;
      const skip = later.get(activity) ?? new Set<string>();
      let latest: { id: string; at: number; status: MeetingStatus } | null = null;
      for (const row of bookings.get(meetingId) ?? []) {
        if (skip.has(row.id)) continue;
        if (latest === null || row.at > latest.at || (row.at === latest.at && row.id > latest.id)) latest = row;
      }
      return latest?.status ?? activity.meetingStatus;
    },
  };
}
