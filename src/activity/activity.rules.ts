import { hash } from 'node:crypto';
import { newId } from '../db/columns';
import { type AppError, UserInputError } from '../shared/errors';
import { findMalformedText } from '../shared/text';
import { violationError, violationsOf } from '../shared/validation';
import {
  ActivityEntity,
  ChatActivityType,
  ConversationStatus,
  MeetingStatus,
  ONCE_PER_SESSION_TYPES,
} from './activity.entity';
import { ActivityErrorReason } from './activity.errors';
import type { RecordChatActivityInput } from './record-activity.input';

/**
 * What makes a recorded activity acceptable, and the row it becomes. Each
 * input is judged alone (a batch answers each with its own error).
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** occurredAt: a little clock skew ahead, a month of offline queueing behind. */
const MAX_FUTURE_MS = 5 * MINUTE_MS;
const MAX_PAST_MS = 30 * DAY_MS;
/** A meeting's start: a booking recorded late or a reschedule far ahead, but no year 1900 or 9999. */
export const MEETING_MAX_PAST_MS = 366 * DAY_MS;
export const MEETING_MAX_FUTURE_MS = 5 * 366 * DAY_MS;

/** Which type each type-specific input field belongs to (`required`: must be present for it). */
const TYPE_FIELDS: ReadonlyArray<{
  field: 'prompt' | 'agent' | 'document' | 'goal' | 'meeting' | 'link';
  type: ChatActivityType;
  required: boolean;
}> = [
  { field: 'prompt', type: ChatActivityType.ENGAGED, required: false },
  { field: 'agent', type: ChatActivityType.ENGAGED_WITH_AGENT, required: true },
  { field: 'document', type: ChatActivityType.INTERACTED_WITH_DOCUMENT, required: true },
  { field: 'goal', type: ChatActivityType.GOAL_ACHIEVED, required: true },
  { field: 'meeting', type: ChatActivityType.MEETING_SCHEDULED, required: true },
  { field: 'link', type: ChatActivityType.LINK_CLICKED, required: true },
];

/** The first problem of one input (BAD_USER_INPUT on its field under `path`), or null. */
export function checkActivityInput(input: RecordChatActivityInput, path: string[], now: Date): AppError | null {
  const malformed = findMalformedText(input, path);
  if (malformed) return malformed;
  const violations = violationsOf(input, path);
  if (violations.length > 0) return violationError(violations);
  for (const { field, type, required } of TYPE_FIELDS) {
    const present = input[field] !== undefined && input[field] !== null;
    if (present && input.type !== type) {
      return new UserInputError(
        `${field} is only allowed for ${type} activities`,
        [...path, field],
        ActivityErrorReason.FIELD_NOT_ALLOWED,
      );
    }
    if (!present && required && input.type === type) {
      return new UserInputError(
        `${field} is required for ${type} activities`,
        [...path, field],
        ActivityErrorReason.FIELD_REQUIRED,
      );
    }
  }
  if (input.occurredAt) {
    const at = input.occurredAt.getTime();
    if (at > now.getTime() + MAX_FUTURE_MS) {
      return new UserInputError(
        'occurredAt must be at most 5 minutes in the future',
        [...path, 'occurredAt'],
        ActivityErrorReason.OCCURRED_AT_IN_FUTURE,
      );
    }
    if (at < now.getTime() - MAX_PAST_MS) {
      return new UserInputError(
        'occurredAt must be at most 30 days in the past',
        [...path, 'occurredAt'],
        ActivityErrorReason.OCCURRED_AT_TOO_OLD,
      );
    }
  }
  const startsAt = input.meeting?.startsAt.getTime();
  if (
    startsAt !== undefined &&
    (startsAt < now.getTime() - MEETING_MAX_PAST_MS || startsAt > now.getTime() + MEETING_MAX_FUTURE_MS)
  ) {
    return new UserInputError(
      'meeting.startsAt must lie within a year back and five years ahead',
      [...path, 'meeting', 'startsAt'],
      ActivityErrorReason.MEETING_STARTS_AT_OUT_OF_RANGE,
    );
  }
  return null;
}

// One-shot crypto.hash: a batch hashes up to twice per activity, and a Hash object per call is not free.
const sha256 = (text: string): string => hash('sha256', text, 'hex');

/**
 * JSON with sorted keys and ISO dates, null and undefined members left out:
 * equal inputs give equal strings, whatever the key order sent. Request
 * hashes are stored, so the text must never change (a unit test pins it).
 * Loops rather than entries/filter/sort/map: it runs for every activity with
 * a clientEventId, on the hot path.
 */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    // An undefined item has no JSON; Array#join wrote it as nothing, and so does this.
    for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + (canonical(value[i]) ?? '');
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, as `<` on strings does.
  const keys = Object.keys(object).sort();
  let out = '{';
  for (const key of keys) {
    const member = object[key];
    if (member === undefined || member === null) continue;
    out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonical(member);
  }
  return `${out}}`;
}

/**
 * The once-per-session key of (visitor, session, chat id, type): an array of
 * strings, so JSON.stringify gives exactly canonical()'s text and stored keys
 * stay comparable. updateConversation finds an engagement by it.
 */
export const onceKeyOf = (visitorId: string, sessionId: string, chatId: string, type: ChatActivityType): string =>
  sha256(JSON.stringify([visitorId, sessionId, chatId, type]));

/** SHA-256 of an input's canonical text: what a retry with the same clientEventId must match. */
export const requestHashOf = (content: unknown): string => sha256(canonical(content));

/** The row an accepted input becomes (its person is resolved later, in the transaction). */
export function activityRow(workspaceId: string, input: RecordChatActivityInput, now: Date): ActivityEntity {
  const { clientEventId, ...content } = input;
  const meeting = input.meeting;
  const agent = input.agent ?? meeting?.agent ?? null;
  return Object.assign(new ActivityEntity(), {
    id: newId(),
    workspaceId,
    personId: '',
    type: input.type,
    occurredAt: input.occurredAt ?? now,
    recordedAt: now,
    visitorId: input.visitorId,
    sessionId: input.sessionId,
    chatKind: input.chat.kind,
    chatId: input.chat.id,
    chatName: input.chat.name,
    pageUrl: input.pageUrl ?? null,
    clientEventId: clientEventId ?? null,
    // The content as sent (a defaulted occurredAt is not part of it): a retry must hash the same.
    requestHash: clientEventId ? sha256(canonical(content)) : null,
    onceKey: ONCE_PER_SESSION_TYPES.has(input.type)
      ? onceKeyOf(input.visitorId, input.sessionId, input.chat.id, input.type)
      : null,
    prompt: input.prompt ?? null,
    agentId: agent?.id ?? null,
    agentName: agent?.name ?? null,
    documentId: input.document?.id ?? null,
    documentName: input.document?.name ?? null,
    documentUrl: input.document?.url ?? null,
    goal: input.goal ?? null,
    meetingStartsAt: meeting?.startsAt ?? null,
    meetingDurationMinutes: meeting?.durationMinutes ?? null,
    meetingStatus: meeting ? (meeting.status ?? MeetingStatus.SCHEDULED) : null,
    meetingId: meeting?.id ?? null,
    linkUrl: input.link?.url ?? null,
    linkText: input.link?.text ?? null,
    conversationStatus: input.type === ChatActivityType.ENGAGED ? ConversationStatus.INITIATED : null,
    streamSeq: null,
  });
}
