import type { DataSource } from 'typeorm';
import {
  ActivityEntity,
  ChatActivityType,
  ChatKind,
  ConversationStatus,
  MeetingStatus,
} from '../../src/activity/activity.entity';
import { newId } from '../../src/db/columns';
import { PersonEntity } from '../../src/person/person.entity';

/**
 * Writes people and activities straight into the database, for read-side
 * tests that need data the write API refuses on purpose (activities older
 * than 30 days) or a lot of it quickly. The read side under test still goes
 * through the API.
 */

export interface ActivitySpec {
  type: ChatActivityType | keyof typeof ChatActivityType;
  at: number;
  chatKind?: ChatKind | keyof typeof ChatKind;
  chat?: string;
  pageUrl?: string | null;
  agent?: string | null;
  document?: string | null;
  goal?: string | null;
  meetingStatus?: MeetingStatus | keyof typeof MeetingStatus | null;
  /** Chosen by the caller when it needs to know the row's id (e.g. to order a booking's rows). */
  id?: string;
  meetingId?: string | null;
  linkUrl?: string | null;
  linkText?: string | null;
  /** Defaults to INITIATED for ENGAGED, as recording does. */
  conversationStatus?: ConversationStatus | keyof typeof ConversationStatus | null;
}

export async function insertPerson(db: DataSource, workspaceId: string, email: string | null = null): Promise<string> {
  const now = new Date();
  const id = newId();
  await db.getRepository(PersonEntity).insert({
    id,
    workspaceId,
    email,
    emailNormalized: email?.toLowerCase() ?? null,
    firstName: null,
    lastName: null,
    company: null,
    score: 0,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

export function activityRow(workspaceId: string, personId: string, spec: ActivitySpec): ActivityEntity {
  const type = spec.type as ChatActivityType;
  return Object.assign(new ActivityEntity(), {
    id: spec.id ?? newId(),
    workspaceId,
    personId,
    type,
    occurredAt: new Date(spec.at),
    recordedAt: new Date(),
    visitorId: `visitor-${personId}`,
    sessionId: 'session',
    chatKind: (spec.chatKind ?? 'DIALOGUE') as ChatKind,
    chatId: spec.chat ?? 'chat',
    chatName: 'Chat',
    pageUrl: spec.pageUrl ?? null,
    clientEventId: null,
    requestHash: null,
    onceKey: null,
    prompt: type === ChatActivityType.ENGAGED ? 'MULTIPLE_CHOICE' : null,
    agentId: spec.agent ?? null,
    agentName: spec.agent ? 'Agent' : null,
    documentId: spec.document ?? null,
    documentName: spec.document ? 'Document' : null,
    documentUrl: null,
    goal: spec.goal ?? null,
    meetingStartsAt: type === ChatActivityType.MEETING_SCHEDULED ? new Date(spec.at + 86_400_000) : null,
    meetingDurationMinutes: null,
    meetingStatus: (spec.meetingStatus ?? null) as MeetingStatus | null,
    meetingId: spec.meetingId ?? null,
    linkUrl: spec.linkUrl ?? (type === ChatActivityType.LINK_CLICKED ? 'https://example.com/link' : null),
    linkText: spec.linkText ?? null,
    conversationStatus: (spec.conversationStatus ??
      (type === ChatActivityType.ENGAGED ? ConversationStatus.INITIATED : null)) as ConversationStatus | null,
  });
}

export async function insertActivities(
  db: DataSource,
  workspaceId: string,
  personId: string,
  specs: ActivitySpec[],
): Promise<void> {
  const rows = specs.map((spec) => activityRow(workspaceId, personId, spec));
  for (let i = 0; i < rows.length; i += 200) await db.getRepository(ActivityEntity).insert(rows.slice(i, i + 200));
}
