import type { ChatActivityType, ChatKind, MeetingStatus } from '../activity/activity.entity';
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

export type TextOperator = 'is' | 'isNot' | 'contains' | 'startsWith';
export const TEXT_OPERATORS: readonly TextOperator[] = ['is', 'isNot', 'contains', 'startsWith'];

export interface TextMatchDef {
  operator: TextOperator;
  /** As given (shown back to the client); matching lower-cases both sides. */
  values: string[];
}

/** The text constraints and the activity column each one reads. */
export const TEXT_CONSTRAINTS = ['chat', 'agent', 'document', 'goal', 'pageUrl'] as const;
export type TextConstraint = (typeof TEXT_CONSTRAINTS)[number];

export interface ConstraintsDef {
  chatKind?: ChatKind;
  chat?: TextMatchDef;
  agent?: TextMatchDef;
  document?: TextMatchDef;
  goal?: TextMatchDef;
  pageUrl?: TextMatchDef;
  meetingStatus?: MeetingStatus[];
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
  | { kind: 'between'; from: number; to: number };

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
