import { ChatActivityType, ChatKind, ConversationStatus, MeetingStatus } from '../activity/activity.entity';
import { AdvancedLogicError, allOf, anyOf, parseAdvancedLogic } from './advanced-logic';
import {
  type ConstraintsDef,
  type DateOfActivityDef,
  type DurationDef,
  FilterLogic,
  type FilterSetDef,
  type LogicExpr,
  LIMITS,
  NAME_CONSTRAINTS,
  TEXT_CONSTRAINTS,
  TEXT_OPERATORS,
  type TextMatchDef,
  TimeFrame,
  TimeUnit,
} from './filter.model';
import { type AnyFilterDef, isActivityFilter } from './person-filter.model';
import { filterKind, parsePersonLevelFilter } from './person-filter.parser';
import { filterInputError, SmartListErrorReason } from './smart-list.errors';

/**
 * Turns filter and constraint inputs (GraphQL input objects, or the same
 * shape read back from stored JSON) into the parsed model, or throws
 * BAD_USER_INPUT naming the field. Campaign triggers, filters and step
 * conditions go through the same functions, so one parser decides what a
 * definition means everywhere.
 */

type Path = ReadonlyArray<string>;
type Loose = Record<string, unknown>;

type TypeSpecificConstraint =
  | 'agent'
  | 'agentName'
  | 'document'
  | 'documentName'
  | 'goal'
  | 'link'
  | 'linkText'
  | 'meetingStatus'
  | 'meetingCurrentStatus'
  | 'conversationStatus';

const AGENT_TYPES = [ChatActivityType.ENGAGED_WITH_AGENT, ChatActivityType.MEETING_SCHEDULED];

/** Which activity types a type-specific constraint applies to; the others apply to every type. */
export const CONSTRAINT_APPLIES_TO: Readonly<Record<TypeSpecificConstraint, readonly ChatActivityType[]>> = {
  agent: AGENT_TYPES,
  agentName: AGENT_TYPES,
  document: [ChatActivityType.INTERACTED_WITH_DOCUMENT],
  documentName: [ChatActivityType.INTERACTED_WITH_DOCUMENT],
  goal: [ChatActivityType.GOAL_ACHIEVED],
  link: [ChatActivityType.LINK_CLICKED],
  linkText: [ChatActivityType.LINK_CLICKED],
  meetingStatus: [ChatActivityType.MEETING_SCHEDULED],
  meetingCurrentStatus: [ChatActivityType.MEETING_SCHEDULED],
  conversationStatus: [ChatActivityType.ENGAGED],
};

const isSet = (value: unknown): boolean => value !== undefined && value !== null;
const enumValue = <T extends string>(values: Record<string, T>, value: unknown, path: Path, what: string): T => {
  if (typeof value === 'string' && (Object.values(values) as string[]).includes(value)) return value as T;
  throw filterInputError(`${what} must be one of ${Object.values(values).join(', ')}`, path);
};

function parseTextMatch(input: unknown, path: Path): TextMatchDef {
  if (typeof input !== 'object' || input === null) throw filterInputError('must be an object with one operator', path);
  const given = TEXT_OPERATORS.filter((operator) => isSet((input as Loose)[operator]));
  if (given.length !== 1) {
    throw filterInputError(
      `set exactly one of ${TEXT_OPERATORS.join(', ')} (found ${given.length})`,
      path,
      SmartListErrorReason.ONE_OPERATOR_REQUIRED,
    );
  }
  const [operator] = given;
  if (operator === 'isEmpty') {
    const empty = (input as Loose).isEmpty;
    if (typeof empty !== 'boolean') throw filterInputError('must be a boolean', [...path, operator]);
    return { operator, values: [], empty };
  }
  const values = (input as Loose)[operator];
  const valuesPath = [...path, operator];
  if (!Array.isArray(values) || values.length === 0) throw filterInputError('needs at least one value', valuesPath);
  if (values.length > LIMITS.textValues) throw filterInputError(`at most ${LIMITS.textValues} values`, valuesPath);
  values.forEach((value, i) => {
    if (typeof value !== 'string' || value.length === 0)
      throw filterInputError('must be a non-empty string', [...valuesPath, String(i)]);
    if (value.length > LIMITS.textValueLength)
      throw filterInputError(`at most ${LIMITS.textValueLength} characters`, [...valuesPath, String(i)]);
  });
  return { operator, values: [...(values as string[])] };
}

/**
 * Parses activity constraints. With `activity` set, a type-specific
 * constraint that cannot hold for that type is an error (it would silently
 * match nothing otherwise).
 */
export function parseConstraints(input: unknown, path: Path, activity: ChatActivityType | null): ConstraintsDef {
  if (!isSet(input)) return {};
  if (typeof input !== 'object') throw filterInputError('must be an object', path);
  const raw = input as Loose;
  const out: ConstraintsDef = {};
  const checkApplies = (name: keyof typeof CONSTRAINT_APPLIES_TO) => {
    if (activity !== null && !CONSTRAINT_APPLIES_TO[name].includes(activity)) {
      throw filterInputError(
        `${name} does not apply to ${activity} (only to ${CONSTRAINT_APPLIES_TO[name].join(', ')})`,
        [...path, name],
        SmartListErrorReason.CONSTRAINT_NOT_APPLICABLE,
      );
    }
  };
  if (isSet(raw.chatKind)) out.chatKind = enumValue(ChatKind, raw.chatKind, [...path, 'chatKind'], 'chatKind');
  for (const name of [...TEXT_CONSTRAINTS, ...NAME_CONSTRAINTS]) {
    if (!isSet(raw[name])) continue;
    if (name in CONSTRAINT_APPLIES_TO) checkApplies(name as TypeSpecificConstraint);
    out[name] = parseTextMatch(raw[name], [...path, name]);
  }
  const statuses = <T extends string>(name: TypeSpecificConstraint, values: Record<string, T>): T[] | undefined => {
    if (!isSet(raw[name])) return undefined;
    checkApplies(name);
    const given = raw[name];
    if (!Array.isArray(given) || given.length === 0)
      throw filterInputError('needs at least one status', [...path, name]);
    return [...new Set(given.map((status, i) => enumValue(values, status, [...path, name, String(i)], name)))];
  };
  const meetingStatus = statuses('meetingStatus', MeetingStatus);
  if (meetingStatus) out.meetingStatus = meetingStatus;
  const meetingCurrentStatus = statuses('meetingCurrentStatus', MeetingStatus);
  if (meetingCurrentStatus) out.meetingCurrentStatus = meetingCurrentStatus;
  const conversationStatus = statuses('conversationStatus', ConversationStatus);
  if (conversationStatus) out.conversationStatus = conversationStatus;
  return out;
}

export function parseDuration(input: unknown, path: Path): DurationDef {
  const raw = (input ?? {}) as Loose;
  const amount = raw.amount;
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1 || amount > LIMITS.durationAmount) {
    throw filterInputError(`amount must be an integer from 1 to ${LIMITS.durationAmount}`, [...path, 'amount']);
  }
  return { amount, unit: enumValue(TimeUnit, raw.unit, [...path, 'unit'], 'unit') };
}

function parseInstant(value: unknown, path: Path): number {
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'number'
        ? value
        : typeof value === 'string'
          ? Date.parse(value)
          : NaN;
  if (!Number.isFinite(ms)) throw filterInputError('must be a date-time', path);
  return ms;
}

const DATE_FORMS = [
  'inPast',
  'inPastBefore',
  'before',
  'after',
  'onOrBefore',
  'onOrAfter',
  'inTimeFrame',
  'betweenFrom',
  'betweenTo',
] as const;

export function parseDateOfActivity(input: unknown, path: Path): DateOfActivityDef | null {
  if (!isSet(input)) return null;
  if (typeof input !== 'object') throw filterInputError('must be an object', path);
  const raw = input as Loose;
  const given = DATE_FORMS.filter((form) => isSet(raw[form]));
  const between = given.includes('betweenFrom') || given.includes('betweenTo');
  const forms = given.filter((form) => form !== 'betweenFrom' && form !== 'betweenTo').length + (between ? 1 : 0);
  if (forms !== 1) {
    throw filterInputError(
      'set exactly one of inPast, inPastBefore, before, after, onOrBefore, onOrAfter, inTimeFrame, or betweenFrom with betweenTo',
      path,
      SmartListErrorReason.ONE_OPERATOR_REQUIRED,
    );
  }
  if (between) {
    if (!isSet(raw.betweenFrom) || !isSet(raw.betweenTo)) {
      const missing = isSet(raw.betweenFrom) ? 'betweenTo' : 'betweenFrom';
      throw filterInputError('betweenFrom and betweenTo go together', [...path, missing]);
    }
    const from = parseInstant(raw.betweenFrom, [...path, 'betweenFrom']);
    const to = parseInstant(raw.betweenTo, [...path, 'betweenTo']);
    if (to <= from) throw filterInputError('betweenTo must be after betweenFrom', [...path, 'betweenTo']);
    return { kind: 'between', from, to };
  }
  const [form] = given;
  if (form === 'inPast' || form === 'inPastBefore')
    return { kind: form, duration: parseDuration(raw[form], [...path, form]) };
  if (form === 'inTimeFrame')
    return { kind: form, frame: enumValue(TimeFrame, raw[form], [...path, form], 'inTimeFrame') };
  return {
    kind: form as 'before' | 'after' | 'onOrBefore' | 'onOrAfter',
    at: parseInstant(raw[form], [...path, form]),
  };
}

export function parseFilter(input: unknown, path: Path, position: number): AnyFilterDef {
  if (typeof input !== 'object' || input === null) throw filterInputError('must be an object', path);
  const raw = input as Loose;
  const kind = filterKind(raw, path);
  if (kind !== 'activity') return parsePersonLevelFilter(raw, path, position, kind);
  const activity = enumValue(ChatActivityType, raw.activity, [...path, 'activity'], 'activity');
  const negated = isSet(raw.negated) ? raw.negated : false;
  if (typeof negated !== 'boolean') throw filterInputError('must be a boolean', [...path, 'negated']);
  const min = isSet(raw.minNumberOfTimes) ? raw.minNumberOfTimes : 1;
  if (typeof min !== 'number' || !Number.isInteger(min) || min < 1 || min > LIMITS.minNumberOfTimes) {
    throw filterInputError(`must be an integer from 1 to ${LIMITS.minNumberOfTimes}`, [...path, 'minNumberOfTimes']);
  }
  return {
    position,
    activity,
    negated,
    constraints: parseConstraints(raw.constraints, [...path, 'constraints'], activity),
    dateOfActivity: parseDateOfActivity(raw.dateOfActivity, [...path, 'dateOfActivity']),
    minNumberOfTimes: min,
  };
}

export interface FilterSetInput {
  logic?: unknown;
  advancedLogic?: unknown;
  filters?: unknown;
}

export interface FilterSetOptions {
  /** Field names of the logic, advancedLogic and filters inputs (campaigns call the logic `filterLogic`). */
  names?: { logic: string; advancedLogic: string; filters: string };
  /** Campaigns may have no filters at all; smart lists need at least one. */
  minFilters?: number;
}

/** Parses logic + advancedLogic + filters together: advancedLogic is checked against the filters it refers to. */
export function parseFilterSet(input: FilterSetInput, path: Path, options: FilterSetOptions = {}): FilterSetDef {
  const names = options.names ?? { logic: 'logic', advancedLogic: 'advancedLogic', filters: 'filters' };
  const minFilters = options.minFilters ?? 1;
  const logic = isSet(input.logic)
    ? enumValue(FilterLogic, input.logic, [...path, names.logic], names.logic)
    : FilterLogic.ALL;
  const rawFilters = isSet(input.filters) ? input.filters : [];
  if (!Array.isArray(rawFilters) || rawFilters.length < minFilters || rawFilters.length > LIMITS.filters) {
    throw filterInputError(`needs ${minFilters} to ${LIMITS.filters} filters`, [...path, names.filters]);
  }
  const filters = rawFilters.map((filter, i) => parseFilter(filter, [...path, names.filters, String(i)], i + 1));

  const logicPath = [...path, names.advancedLogic];
  const advanced = isSet(input.advancedLogic) ? input.advancedLogic : null;
  if (logic !== FilterLogic.ADVANCED) {
    if (advanced !== null) {
      throw filterInputError(
        `${names.advancedLogic} is only used with ${names.logic} ADVANCED`,
        logicPath,
        SmartListErrorReason.ADVANCED_LOGIC_NOT_ALLOWED,
      );
    }
    return {
      logic,
      advancedLogic: null,
      filters,
      expression: logic === FilterLogic.ALL ? allOf(filters.length) : anyOf(filters.length),
    };
  }
  if (advanced === null)
    throw filterInputError(
      `${names.advancedLogic} is required with ${names.logic} ADVANCED`,
      logicPath,
      SmartListErrorReason.ADVANCED_LOGIC_REQUIRED,
    );
  if (typeof advanced !== 'string' || advanced.length > LIMITS.advancedLogicLength) {
    throw filterInputError(
      `must be a string of at most ${LIMITS.advancedLogicLength} characters`,
      logicPath,
      SmartListErrorReason.INVALID_ADVANCED_LOGIC,
    );
  }
  if (filters.length === 0)
    throw filterInputError('ADVANCED logic needs filters to refer to', [...path, names.filters]);
  let expression: LogicExpr;
  try {
    expression = parseAdvancedLogic(advanced, filters.length);
  } catch (err) {
    if (err instanceof AdvancedLogicError)
      throw filterInputError(err.message, logicPath, SmartListErrorReason.INVALID_ADVANCED_LOGIC);
    throw err;
  }
  // Each mention of a filter compiles to its own subquery with its own parameters: bound what one
  // definition can turn into, so a short expression cannot become megabytes of SQL.
  const mentions = countMentions(expression);
  const parameters = [...mentions].reduce(
    (sum, [position, count]) => sum + count * parameterCount(filters[position - 1]),
    0,
  );
  const total = [...mentions.values()].reduce((sum, count) => sum + count, 0);
  if (total > LIMITS.advancedLogicMentions || parameters > LIMITS.compiledParameters) {
    throw filterInputError(
      `mentions filters too often (${total} mentions, ${parameters} values to compare; at most ${LIMITS.advancedLogicMentions} and ${LIMITS.compiledParameters})`,
      logicPath,
      SmartListErrorReason.INVALID_ADVANCED_LOGIC,
    );
  }
  return { logic, advancedLogic: advanced, filters, expression };
}

function countMentions(expression: LogicExpr, into = new Map<number, number>()): Map<number, number> {
  if (expression.kind === 'filter') into.set(expression.position, (into.get(expression.position) ?? 0) + 1);
  else if (expression.kind === 'not') countMentions(expression.operand, into);
  else for (const operand of expression.operands) countMentions(operand, into);
  return into;
}

/**
 * Bound parameters one mention of the filter compiles to (type, dates, counts and every constraint value); a
 * person-level filter's own (a nested list's are bounded with the nesting, membership-graph.ts).
 */
export function parameterCount(filter: AnyFilterDef): number {
  if (!isActivityFilter(filter)) return 8;
  const c = filter.constraints;
  const text = [...TEXT_CONSTRAINTS, ...NAME_CONSTRAINTS].reduce((sum, name) => sum + (c[name]?.values.length ?? 0), 0);
  const statuses =
    (c.meetingStatus?.length ?? 0) + (c.meetingCurrentStatus?.length ?? 0) + (c.conversationStatus?.length ?? 0);
  return 4 + text + statuses + (c.chatKind ? 1 : 0);
}

/** A filter set as stored (smart_list.definition, campaign definitions): parsed, times in epoch ms, without the derived expression. */
export type StoredFilterSetDef = Omit<FilterSetDef, 'expression'>;

/** Stored definitions were checked when written; only the expression is derived again. */
export function restoreFilterSet(stored: StoredFilterSetDef): FilterSetDef {
  const count = stored.filters.length;
  const expression =
    stored.logic === FilterLogic.ADVANCED && stored.advancedLogic !== null
      ? parseAdvancedLogic(stored.advancedLogic, count)
      : stored.logic === FilterLogic.ANY
        ? anyOf(count)
        : allOf(count);
  return { ...stored, expression };
}
