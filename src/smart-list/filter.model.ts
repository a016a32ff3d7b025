import type { ChatActivityType, ChatKind, ConversationStatus, MeetingStatus } from '../activity/activity.entity';
import type { AnyFilterDef } from './person-filter.model';

/**
 * Smart-list filters and activity constraints after parsing: the one shape the
 * SQL compiler, the in-memory matcher (campaign triggers and step conditions)
 * and storage share. Free of GraphQL. Stored as JSON, so every value here is
 * plain data (times in epoch ms) and enum values are the stored strings.
 */

/** Values are stored in definitions; never rename them. */
export enum FilterLogic {
  ALL = 'ALL',
  ANY = 'ANY',
  ADVANCED = 'ADVANCED',
}

export enum TimeUnit {
  MINUTES = 'MINUTES',
  HOURS = 'HOURS',
  DAYS = 'DAYS',
  WEEKS = 'WEEKS',
  MONTHS = 'MONTHS',
}

/** Operators that take a list of values (any of them). */
export type ValueTextOperator = 'is' | 'isNot' | 'contains' | 'startsWith' | 'notContains' | 'notStartsWith';
export type TextOperator = ValueTextOperator | 'isEmpty';
export const VALUE_TEXT_OPERATORS: readonly ValueTextOperator[] = [
  'is',
  'isNot',
  'contains',
  'startsWith',
  'notContains',
  'notStartsWith',
];
export const TEXT_OPERATORS: readonly TextOperator[] = [...VALUE_TEXT_OPERATORS, 'isEmpty'];

/**
 * Every operator but isEmpty holds only for a present value (not missing, not
 * empty); the negative ones (isNot, notContains, notStartsWith) then hold when
 * no value matches. isEmpty: true holds for a missing or empty value, false for
 * a present one.
 */
export type TextMatchDef =
  | {
      operator: ValueTextOperator;
      /** As given (shown back to the client); matching lower-cases both sides. */
      values: string[];
    }
  | { operator: 'isEmpty'; values: []; empty: boolean };

/** The text constraints read from the activity row itself (chat/agent/document match ids; link the url). */
export const TEXT_CONSTRAINTS = ['chat', 'agent', 'document', 'goal', 'pageUrl', 'link', 'linkText'] as const;
export type TextConstraint = (typeof TEXT_CONSTRAINTS)[number];

/** The text constraints on the current name of a workspace entity (src/catalog), not the name on the activity. */
export const NAME_CONSTRAINTS = ['chatName', 'agentName', 'documentName'] as const;
export type NameConstraint = (typeof NAME_CONSTRAINTS)[number];

export interface ConstraintsDef {
  chatKind?: ChatKind;
  chat?: TextMatchDef;
  agent?: TextMatchDef;
  document?: TextMatchDef;
  goal?: TextMatchDef;
  pageUrl?: TextMatchDef;
  link?: TextMatchDef;
  linkText?: TextMatchDef;
  chatName?: TextMatchDef;
  agentName?: TextMatchDef;
  documentName?: TextMatchDef;
  meetingStatus?: MeetingStatus[];
  /** The booking's latest status (its MEETING_SCHEDULED activities by occurredAt, then id), any of. */
  meetingCurrentStatus?: MeetingStatus[];
  conversationStatus?: ConversationStatus[];
}

export interface DurationDef {
  amount: number;
  unit: TimeUnit;
}

export type DateOfActivityDef =
  | { kind: 'inPast'; duration: DurationDef }
  | { kind: 'inPastBefore'; duration: DurationDef }
  | { kind: 'before'; at: number }
  | { kind: 'after'; at: number }
  | { kind: 'between'; from: number; to: number }
  | { kind: 'onOrBefore'; at: number }
  | { kind: 'onOrAfter'; at: number }
  | { kind: 'inTimeFrame'; frame: TimeFrame };

/** Calendar ranges in the workspace's time zone (see time-frame.ts). Values are stored; never rename them. */
export enum TimeFrame {
  TODAY = 'TODAY',
  YESTERDAY = 'YESTERDAY',
  THIS_WEEK = 'THIS_WEEK',
  LAST_WEEK = 'LAST_WEEK',
  THIS_MONTH = 'THIS_MONTH',
  LAST_MONTH = 'LAST_MONTH',
  THIS_QUARTER = 'THIS_QUARTER',
  LAST_QUARTER = 'LAST_QUARTER',
  THIS_YEAR = 'THIS_YEAR',
  LAST_YEAR = 'LAST_YEAR',
}

/** An activity filter; person-filter.model.ts has the other kinds (AnyFilterDef). */
export interface FilterDef {
  /** 1-based, as advancedLogic refers to it. */
  position: number;
  activity: ChatActivityType;
  negated: boolean;
  constraints: ConstraintsDef;
  dateOfActivity: DateOfActivityDef | null;
  minNumberOfTimes: number;
}

/** Logic over filters, as parsed from ALL / ANY / an advancedLogic expression; `filter` holds a 1-based position. */
export type LogicExpr =
  | { kind: 'filter'; position: number }
  | { kind: 'not'; operand: LogicExpr }
  | { kind: 'and' | 'or'; operands: LogicExpr[] };

export interface FilterSetDef {
  logic: FilterLogic;
  advancedLogic: string | null;
  filters: AnyFilterDef[];
  /** Derived from logic/advancedLogic; not stored. */
  expression: LogicExpr;
}

export const LIMITS = {
  filters: 25,
  textValues: 100,
  textValueLength: 2048,
  meetingStatuses: 3,
  minNumberOfTimes: 10_000,
  durationAmount: 10_000,
  advancedLogicLength: 1024,
  /** Parenthesis nesting of advancedLogic: keeps the recursive parser and the SQL far from any stack or parser limit. */
  advancedLogicDepth: 32,
  /** Filter numbers in one advancedLogic expression (a filter may be mentioned more than once). */
  advancedLogicMentions: 50,
  /** Bound parameters an advancedLogic definition may compile to: as many as the largest ALL/ANY one (25 filters, 5 × 100 values each). */
  compiledParameters: 13_000,
} as const;
