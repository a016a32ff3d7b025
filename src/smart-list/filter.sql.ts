import { LIKE_ESCAPE, likePattern, placeholders } from '../db/sql';
import { DEFAULT_TIME_ZONE } from '../shared/time-zone';
import { subtractDuration } from './duration';
import {
  type ConstraintsDef,
  type DateOfActivityDef,
  type FilterDef,
  type FilterSetDef,
  type LogicExpr,
  NAME_CONSTRAINTS,
  type NameConstraint,
  type TextConstraint,
  type TextMatchDef,
} from './filter.model';
import { type AnyFilterDef, isActivityFilter } from './person-filter.model';
import { compilePersonLevelFilter, costRank } from './person-filter.sql';
import { timeFrameRange } from './time-frame';

/**
 * Compiles parsed filters to SQL that both MySQL/MariaDB and SQLite run: one
 * boolean condition per person, so membership, counts and "is this person in
 * it" are single queries evaluated in the database, never activities loaded
 * into Node.
 *
 * Probes read idx_activity_person_filter (person_id, type, occurred_at and
 * the constraint columns but page_url), so they rarely touch the table rows. An
 * AND of filters becomes one correlated probe per filter (EXISTS for "at
 * least once", a COUNT for "at least N times", negated with NOT), which stops
 * at the first filter a person fails; logic with OR or NOT becomes one probe
 * per person counting every filter's matches (compileCounted). Every value
 * is a bound parameter; LIKE patterns escape their wildcards.
 */

export interface Sql {
  text: string;
  params: unknown[];
}

export interface CompileOptions {
  /** Evaluation time (epoch ms): inPast / inPastBefore / inTimeFrame are relative to it. */
  now: number;
  /** The workspace's IANA time zone, for inTimeFrame's calendar (default UTC). */
  timeZone?: string;
  /** SQL expression of the person id the condition is about, e.g. `p.id`. */
  personId: string;
  /** MySQL/MariaDB: compare bytes, so the _ci collation's accent and trailing-space folding does not apply. */
  mysql?: boolean;
  /**
   * Activities to leave out: a campaign checks its filters for one activity of
   * a batch, whose later activities are already stored but must not count yet.
   */
  excludeActivityIds?: readonly string[];
  /**
   * The definitions memberOfSmartList filters name, transitively, by raw list
   * id: a nested list compiles inline, so a list stays one query. An id
   * missing here names no list (see person-filter.sql.ts).
   */
  lists?: ReadonlyMap<string, FilterSetDef>;
  /** memberOfSmartList levels above the set being compiled; set by the nesting itself. */
  nesting?: number;
}

/** Activity columns read by the text constraints (chat/agent/document match ids). */
export const TEXT_COLUMN: Readonly<Record<TextConstraint, string>> = {
  chat: 'chat_id',
  agent: 'agent_id',
  document: 'document_id',
  goal: 'goal',
  pageUrl: 'page_url',
  link: 'link_url',
  linkText: 'link_text',
};

/** The catalog entry (src/catalog) each name constraint reads the current name of, and the activity column naming it. */
const NAME_SOURCE: Readonly<Record<NameConstraint, { type: string; column: string }>> = {
  chatName: { type: 'CHAT', column: 'chat_id' },
  agentName: { type: 'AGENT', column: 'agent_id' },
  documentName: { type: 'DOCUMENT', column: 'document_id' },
};

/**
 * The current name as an SQL value: null where the activity names no such
 * entity. One primary-key read of catalog_entry; the entry type is a constant
 * of this file, never input.
 */
const currentName = (name: NameConstraint, alias: string): string =>
  `(SELECT c.name FROM catalog_entry c WHERE c.workspace_id = ${alias}.workspace_id AND c.entry_type = '${NAME_SOURCE[name].type}' AND c.widget_id = ${alias}.${NAME_SOURCE[name].column})`;

/** Conditions of one WHERE clause: AND without parentheses. */
const whereList = (parts: Sql[]): Sql => ({
  text: parts.map((part) => part.text).join(' AND '),
  params: parts.flatMap((part) => part.params),
});

const join = (parts: Sql[], operator: 'AND' | 'OR'): Sql => ({
  text: parts.length === 1 ? parts[0].text : `(${parts.map((part) => part.text).join(` ${operator} `)})`,
  params: parts.flatMap((part) => part.params),
});

/**
 * Case-insensitive, and nothing else, on both databases and in memory
 * (filter.match.ts): LOWER() on the column against values lower-cased here,
 * compared as bytes on MySQL (its _ci collation would also equate "café" and
 * "cafe"); SQLite's LOWER is made Unicode-aware in data-source.ts.
 */
function compileTextMatch(rawColumn: string, match: TextMatchDef, mysql: boolean): Sql {
  // Present: neither missing nor empty. Only isEmpty holds for a value that is not.
  const present = `(${rawColumn} IS NOT NULL AND LENGTH(${rawColumn}) > 0)`;
  if (match.operator === 'isEmpty')
    return { text: match.empty ? `(${rawColumn} IS NULL OR LENGTH(${rawColumn}) = 0)` : present, params: [] };
  const lowered = match.values.map((value) => value.toLowerCase());
  const column = mysql ? `CAST(LOWER(${rawColumn}) AS BINARY)` : `LOWER(${rawColumn})`;
  const like = (operator: 'contains' | 'startsWith') =>
    join(
      match.values.map((value) => ({
        text: `${column} LIKE ? ${LIKE_ESCAPE}`,
        params: [likePattern(value, operator)],
      })),
      'OR',
    );
  const whenPresent = (condition: Sql): Sql => ({
    text: `(${present} AND ${condition.text})`,
    params: condition.params,
  });
  switch (match.operator) {
    case 'is':
      return { text: `${column} IN (${placeholders(lowered.length)})`, params: lowered };
    case 'isNot':
      // A missing value is not "a different one": isNot only holds where there is a value.
      return whenPresent({ text: `${column} NOT IN (${placeholders(lowered.length)})`, params: lowered });
    case 'contains':
    case 'startsWith':
      return like(match.operator);
    case 'notContains':
      return whenPresent({ text: `NOT ${wrap(like('contains'))}`, params: like('contains').params });
    case 'notStartsWith':
      return whenPresent({ text: `NOT ${wrap(like('startsWith'))}`, params: like('startsWith').params });
  }
}

const wrap = (sql: Sql): string => (sql.text.startsWith('(') ? sql.text : `(${sql.text})`);

const anyOf = (expression: string, values: readonly string[]): Sql => ({
  text: `${expression} IN (${placeholders(values.length)})`,
  params: [...values],
});

/**
 * The status of the activity's booking now: that of its latest row (by
 * occurredAt, then id) among the workspace's activities with its meeting id,
 * its own for a meeting without one. Read at evaluation time, so concurrent
 * recordings never leave it stale. `excluded` rows do not count (see
 * CompileOptions.excludeActivityIds).
 */
function meetingCurrentStatus(alias: string, excluded: readonly string[]): Sql {
  const skip = excluded.length > 0 ? ` AND m.id NOT IN (${placeholders(excluded.length)})` : '';
  return {
    text: `COALESCE((SELECT m.meeting_status FROM activity m WHERE m.workspace_id = ${alias}.workspace_id AND m.meeting_id = ${alias}.meeting_id${skip} ORDER BY m.occurred_at DESC, m.id DESC LIMIT 1), ${alias}.meeting_status)`,
    params: [...excluded],
  };
}

/** The constraints as conditions on the activity row alias `a` (none: an empty list). */
export function compileConstraints(
  constraints: ConstraintsDef,
  alias = 'a',
  mysql = false,
  excludeActivityIds: readonly string[] = [],
): Sql[] {
  const parts: Sql[] = [];
  if (constraints.chatKind) parts.push({ text: `${alias}.chat_kind = ?`, params: [constraints.chatKind] });
  for (const [name, column] of Object.entries(TEXT_COLUMN) as Array<[TextConstraint, string]>) {
    const match = constraints[name];
    if (match) parts.push(compileTextMatch(`${alias}.${column}`, match, mysql));
  }
  for (const name of NAME_CONSTRAINTS) {
    const match = constraints[name];
    if (match) parts.push(compileTextMatch(currentName(name, alias), match, mysql));
  }
  if (constraints.meetingStatus) parts.push(anyOf(`${alias}.meeting_status`, constraints.meetingStatus));
  if (constraints.meetingCurrentStatus) {
    const current = meetingCurrentStatus(alias, excludeActivityIds);
    const match = anyOf(current.text, constraints.meetingCurrentStatus);
    parts.push({ text: match.text, params: [...current.params, ...match.params] });
  }
  if (constraints.conversationStatus) parts.push(anyOf(`${alias}.conversation_status`, constraints.conversationStatus));
  return parts;
}

/**
 * Also a person's createdAt and a campaign run's time: `columnName` is the
 * epoch-ms column of `alias` it reads. Time frames are calendar ranges in
 * `timeZone`, turned into instants here so both databases compare numbers.
 */
export function compileDateOfActivity(
  date: DateOfActivityDef,
  now: number,
  alias = 'a',
  columnName = 'occurred_at',
  timeZone: string = DEFAULT_TIME_ZONE,
): Sql {
  const column = `${alias}.${columnName}`;
  switch (date.kind) {
    case 'onOrBefore':
      return { text: `${column} <= ?`, params: [date.at] };
    case 'onOrAfter':
      return { text: `${column} >= ?`, params: [date.at] };
    case 'inTimeFrame': {
      const range = timeFrameRange(date.frame, now, timeZone);
      return { text: `(${column} >= ? AND ${column} < ?)`, params: [range.from, range.to] };
    }
    case 'inPast':
      return { text: `${column} >= ?`, params: [subtractDuration(now, date.duration)] };
    case 'inPastBefore':
      return { text: `${column} < ?`, params: [subtractDuration(now, date.duration)] };
    case 'before':
      return { text: `${column} < ?`, params: [date.at] };
    case 'after':
      return { text: `${column} >= ?`, params: [date.at] };
    case 'between':
      return { text: `(${column} >= ? AND ${column} < ?)`, params: [date.from, date.to] };
  }
}

/** A filter's conditions on the activity row `a`, but for the person: type, constraints, date. */
function filterConditions(filter: FilterDef, options: CompileOptions): Sql {
  const conditions: Sql[] = [
    { text: 'a.type = ?', params: [filter.activity] },
    ...compileConstraints(filter.constraints, 'a', options.mysql ?? false, options.excludeActivityIds),
  ];
  if (filter.dateOfActivity)
    conditions.push(compileDateOfActivity(filter.dateOfActivity, options.now, 'a', 'occurred_at', options.timeZone));
  return whereList(conditions);
}

function excludedActivities(options: CompileOptions): Sql | null {
  if (!options.excludeActivityIds?.length) return null;
  return {
    text: `a.id NOT IN (${placeholders(options.excludeActivityIds.length)})`,
    params: [...options.excludeActivityIds],
  };
}

export function compileFilter(filter: FilterDef, options: CompileOptions): Sql {
  const conditions: Sql[] = [
    { text: `a.person_id = ${options.personId}`, params: [] },
    filterConditions(filter, options),
  ];
  const excluded = excludedActivities(options);
  if (excluded) conditions.push(excluded);
  const where = whereList(conditions);
  if (filter.minNumberOfTimes === 1) {
    return {
      text: `${filter.negated ? 'NOT ' : ''}EXISTS (SELECT 1 FROM activity a WHERE ${where.text})`,
      params: where.params,
    };
  }
  return {
    text: `(SELECT COUNT(*) FROM activity a WHERE ${where.text}) ${filter.negated ? '<' : '>='} ?`,
    params: [...where.params, filter.minNumberOfTimes],
  };
}

function compileAnyFilter(filter: AnyFilterDef, options: CompileOptions): Sql {
  return isActivityFilter(filter)
    ? compileFilter(filter, options)
    : compilePersonLevelFilter(filter, options, compileFilterSet);
}

/**
 * A conjunction as per-filter probes joined by AND: the person row's own
 * columns first (no probe at all), nested lists last (the dearest), else in
 * the order written.
 */
function compileConjunction(expression: LogicExpr, filters: readonly AnyFilterDef[], options: CompileOptions): Sql {
  if (expression.kind === 'filter') return compileAnyFilter(filters[expression.position - 1], options);
  if (expression.kind !== 'and') throw new Error(`not a conjunction: ${expression.kind}`);
  const rank = (operand: LogicExpr) => (operand.kind === 'filter' ? costRank(filters[operand.position - 1]) : 1);
  return join(
    [...expression.operands]
      .sort((a, b) => rank(a) - rank(b))
      .map((operand) => compileConjunction(operand, filters, options)),
    'AND',
  );
}

/** Only ANDs of filters: evaluation can stop at the first filter a person fails. */
function isConjunction(expression: LogicExpr): boolean {
  return expression.kind === 'filter' || (expression.kind === 'and' && expression.operands.every(isConjunction));
}

function mentionedPositions(expression: LogicExpr, into = new Set<number>()): Set<number> {
  if (expression.kind === 'filter') into.add(expression.position);
  else if (expression.kind === 'not') mentionedPositions(expression.operand, into);
  else for (const operand of expression.operands) mentionedPositions(operand, into);
  return into;
}

/**
 * The whole set as one probe per person: a single pass over the person's
 * activities of the mentioned types counts, per filter, the rows that match
 * it, and the logic is evaluated on those counts. Used where the logic has OR
 * or NOT: there a person may need every filter's probe, and each correlated
 * subquery has a fixed cost per execution in MariaDB, so three probes per person
 * cost more than one that reads a few more index entries. The aggregate
 * always yields one row (zero counts for a person without activities), so
 * negated filters hold for people who never had the activity.
 */
function compileCounted(set: FilterSetDef, options: CompileOptions): Sql {
  const counts = new Map<number, Sql>();
  const activityAt = (position: number) => set.filters[position - 1] as FilterDef;
  const positions = [...mentionedPositions(set.expression)]
    .filter((position) => isActivityFilter(set.filters[position - 1]))
    .sort((a, b) => a - b);
  for (const position of positions) {
    const condition = filterConditions(activityAt(position), options);
    counts.set(position, {
      text: `COALESCE(SUM(CASE WHEN ${condition.text} THEN 1 END), 0)`,
      params: condition.params,
    });
  }
  const logic = (expression: LogicExpr): Sql => {
    switch (expression.kind) {
      case 'filter': {
        const filter = set.filters[expression.position - 1];
        // A person-level filter is a condition of its own beside the counts (on the person row, or a probe).
        if (!isActivityFilter(filter)) return compilePersonLevelFilter(filter, options, compileFilterSet);
        const count = counts.get(expression.position)!;
        return {
          text: `${count.text} ${filter.negated ? '<' : '>='} ?`,
          params: [...count.params, filter.minNumberOfTimes],
        };
      }
      case 'not': {
        const operand = logic(expression.operand);
        return { text: `(NOT ${operand.text})`, params: operand.params };
      }
      case 'and':
      case 'or':
        return join(expression.operands.map(logic), expression.kind === 'and' ? 'AND' : 'OR');
    }
  };
  const passes = logic(set.expression);
  if (positions.length === 0) return passes;
  const types = [...new Set(positions.map((position) => activityAt(position).activity))];
  const conditions: Sql[] = [
    { text: `a.person_id = ${options.personId}`, params: [] },
    { text: `a.type IN (${placeholders(types.length)})`, params: types },
  ];
  const excluded = excludedActivities(options);
  if (excluded) conditions.push(excluded);
  const where = whereList(conditions);
  return {
    text: `(SELECT CASE WHEN ${passes.text} THEN 1 ELSE 0 END FROM activity a WHERE ${where.text}) = 1`,
    params: [...passes.params, ...where.params],
  };
}

/**
 * The condition "this person passes the filters" for the person id
 * expression in `options`: per-filter probes for a conjunction (which stops
 * at the first failing filter), one counting probe otherwise.
 */
export function compileFilterSet(set: FilterSetDef, options: CompileOptions): Sql {
  if (set.filters.length === 0) return { text: '1 = 1', params: [] };
  if (isConjunction(set.expression)) return compileConjunction(set.expression, set.filters, options);
  return compileCounted(set, options);
}
