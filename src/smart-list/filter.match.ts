import type { ActivityEntity } from '../activity/activity.entity';
import type { ConstraintsDef, TextConstraint, TextMatchDef } from './filter.model';

/**
 * In-memory twin of compileConstraints for one activity already in hand
 * (campaign triggers and flow-step conditions look at the triggering
 * activity, so no query is needed). Same semantics: case-insensitive, and
 * isNot does not hold for a missing value.
 */
type MatchableActivity = Pick<
  ActivityEntity,
  'chatKind' | 'chatId' | 'agentId' | 'documentId' | 'goal' | 'pageUrl' | 'meetingStatus'
>;

const TEXT_VALUE: Readonly<Record<TextConstraint, (activity: MatchableActivity) => string | null>> = {
  chat: (a) => a.chatId,
  agent: (a) => a.agentId,
  document: (a) => a.documentId,
  goal: (a) => a.goal,
  pageUrl: (a) => a.pageUrl,
};

export function textMatches(value: string | null, match: TextMatchDef): boolean {
  if (value === null) return false;
  const lowered = value.toLowerCase();
  const wanted = match.values.map((v) => v.toLowerCase());
  switch (match.operator) {
    case 'is':
      return wanted.includes(lowered);
    case 'isNot':
      return !wanted.includes(lowered);
    case 'contains':
      return wanted.some((v) => lowered.includes(v));
    case 'startsWith':
      return wanted.some((v) => lowered.startsWith(v));
  }
}

export function constraintsMatch(activity: MatchableActivity, constraints: ConstraintsDef): boolean {
  if (constraints.chatKind && activity.chatKind !== constraints.chatKind) return false;
  for (const [name, valueOf] of Object.entries(TEXT_VALUE) as Array<
    [TextConstraint, (a: MatchableActivity) => string | null]
  >) {
    const match = constraints[name];
    if (match && !textMatches(valueOf(activity), match)) return false;
  }
  if (
    constraints.meetingStatus &&
    (activity.meetingStatus === null || !constraints.meetingStatus.includes(activity.meetingStatus))
  )
    return false;
  return true;
}
