import type { ActivityEntity, MeetingStatus } from '../activity/activity.entity';
import {
  type ConstraintsDef,
  NAME_CONSTRAINTS,
  type NameConstraint,
  TEXT_CONSTRAINTS,
  type TextConstraint,
  type TextMatchDef,
} from './filter.model';

/**
 * In-memory twin of compileConstraints for one activity already in hand
 * (campaign triggers and flow-step conditions look at the triggering
 * activity, so no query is needed). Same semantics: case-insensitive; only
 * isEmpty holds for a missing or empty value.
 */
export type MatchableActivity = Pick<
  ActivityEntity,
  | 'chatKind'
  | 'chatId'
  | 'agentId'
  | 'documentId'
  | 'goal'
  | 'pageUrl'
  | 'meetingStatus'
  | 'meetingId'
  | 'linkUrl'
  | 'linkText'
  | 'conversationStatus'
>;

/**
 * What some constraints need beyond the activity row: the current names of
 * its chat, agent and document (the catalog's, which a later activity may
 * have changed) and its booking's latest status.
 */
export interface MatchContext {
  currentName(constraint: NameConstraint, activity: MatchableActivity): string | null;
  meetingCurrentStatus(activity: MatchableActivity): MeetingStatus | null;
}

const TEXT_VALUE: Readonly<Record<TextConstraint, (activity: MatchableActivity) => string | null>> = {
  chat: (a) => a.chatId,
  agent: (a) => a.agentId,
  document: (a) => a.documentId,
  goal: (a) => a.goal,
  pageUrl: (a) => a.pageUrl,
  link: (a) => a.linkUrl,
  linkText: (a) => a.linkText,
};

export function textMatches(value: string | null, match: TextMatchDef): boolean {
  const present = value !== null && value !== '';
  if (match.operator === 'isEmpty') return match.empty !== present;
  if (!present) return false;
  const lowered = value.toLowerCase();
  const wanted = match.values.map((v) => v.toLowerCase());
  switch (match.operator) {
    case 'is':
      return wanted.includes(lowered);
    case 'isNot':
      return !wanted.includes(lowered);
    case 'contains':
      return wanted.some((v) => lowered.includes(v));
    case 'notContains':
      return !wanted.some((v) => lowered.includes(v));
    case 'startsWith':
      return wanted.some((v) => lowered.startsWith(v));
    case 'notStartsWith':
      return !wanted.some((v) => lowered.startsWith(v));
  }
}

/** Whether the constraints read anything but the activity row (see MatchContext). */
export function needsContext(constraints: ConstraintsDef): boolean {
  return NAME_CONSTRAINTS.some((name) => constraints[name] !== undefined) || !!constraints.meetingCurrentStatus;
}

const anyOf = <T>(wanted: readonly T[] | undefined, value: T | null): boolean =>
  wanted === undefined || (value !== null && wanted.includes(value));

/**
 * With `context` null the constraints that need it count as holding: an
 * upper bound, for deciding before the batch is written whether a campaign
 * may run (and lock people), never for deciding that it runs.
 */
export function constraintsMatch(
  activity: MatchableActivity,
  constraints: ConstraintsDef,
  context: MatchContext | null,
): boolean {
  if (constraints.chatKind && activity.chatKind !== constraints.chatKind) return false;
  for (const name of TEXT_CONSTRAINTS) {
    const match = constraints[name];
    if (match && !textMatches(TEXT_VALUE[name](activity), match)) return false;
  }
  if (!anyOf(constraints.meetingStatus, activity.meetingStatus)) return false;
  if (!anyOf(constraints.conversationStatus, activity.conversationStatus)) return false;
  if (context === null) return true;
  for (const name of NAME_CONSTRAINTS) {
    const match = constraints[name];
    if (match && !textMatches(context.currentName(name, activity), match)) return false;
  }
  return anyOf(
    constraints.meetingCurrentStatus,
    constraints.meetingCurrentStatus ? context.meetingCurrentStatus(activity) : null,
  );
}
