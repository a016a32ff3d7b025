import type { ActivityEntity } from '../activity/activity.entity';

const iso = (d: Date | null | undefined) => (d == null ? undefined : new Date(d).toISOString());

/** `data` of an ACTIVITY delivery: the activity, with the person it belongs to (type-specific fields only when set). */
export function activityPayload(row: ActivityEntity, person?: PersonSummary): Record<string, unknown> {
  const optional: Record<string, unknown> = {
    pageUrl: row.pageUrl,
    prompt: row.prompt,
    agentId: row.agentId,
    agentName: row.agentName,
    documentId: row.documentId,
    documentName: row.documentName,
    documentUrl: row.documentUrl,
    goal: row.goal,
    meetingStartsAt: iso(row.meetingStartsAt),
    meetingDurationMinutes: row.meetingDurationMinutes,
    meetingStatus: row.meetingStatus,
    meetingId: row.meetingId,
    linkUrl: row.linkUrl,
    linkText: row.linkText,
    // Sales Insight's "Engaged Dialogue: Status"; a status change sends the activity again with the new one.
    conversationStatus: row.conversationStatus,
  };
  return {
    id: row.id,
    type: row.type,
    occurredAt: iso(row.occurredAt),
    recordedAt: iso(row.recordedAt),
    visitorId: row.visitorId,
    sessionId: row.sessionId,
    chat: { kind: row.chatKind, id: row.chatId, name: row.chatName },
    // Exactly these fields, whatever richer person object (e.g. an entity) the caller has.
    person: person
      ? {
          id: person.id,
          email: person.email,
          firstName: person.firstName,
          lastName: person.lastName,
          company: person.company,
        }
      : { id: row.personId, email: null, firstName: null, lastName: null, company: null },
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v != null)),
  };
}

export interface PersonSummary {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
}
