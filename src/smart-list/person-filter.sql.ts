import { LIKE_ESCAPE, likePattern } from '../db/sql';
import type { FilterSetDef } from './filter.model';
import { type CompileOptions, compileDateOfActivity, type Sql } from './filter.sql';
import {
  type AnyFilterDef,
  type MemberOfSmartListFilterDef,
  MAX_LIST_NESTING,
  type PersonCriteriaDef,
  type PersonLevelFilterDef,
  type WasInCampaignFilterDef,
} from './person-filter.model';

/**
 * Person-level filters as SQL conditions for the person `options.personId`
 * names: attributes read the person row itself (the callers' `p`, or a
 * lookup by id for any other expression), a campaign's runs are an indexed
 * probe of campaign_run, and a nested list is that list's own condition
 * inlined, so "member of b" is exactly what b's `includes` answers.
 */

type CompileSet = (set: FilterSetDef, options: CompileOptions) => Sql;

const TRUE: Sql = { text: '1 = 1', params: [] };
const FALSE: Sql = { text: '1 = 0', params: [] };

/** Cheap conditions go first in a conjunction: the person row's columns, then probes, then nested lists. */
export function costRank(filter: AnyFilterDef): number {
  if (!('kind' in filter)) return 1;
  return filter.kind === 'person' ? 0 : filter.kind === 'wasInCampaign' ? 1 : 2;
}

export function compilePersonLevelFilter(
  filter: PersonLevelFilterDef,
  options: CompileOptions,
  compileSet: CompileSet,
): Sql {
  switch (filter.kind) {
    case 'person':
      return compilePerson(filter.person, options);
    case 'wasInCampaign':
      return compileWasInCampaign(filter, options);
    case 'memberOfSmartList':
      return compileMemberOf(filter, options, compileSet);
  }
}

const and = (parts: Sql[]): Sql => ({
  text: parts.length === 1 ? parts[0].text : `(${parts.map((part) => part.text).join(' AND ')})`,
  params: parts.flatMap((part) => part.params),
});

/** The alias of the person row when the id expression is `<alias>.id` (every query of the repository). */
const personAlias = (personId: string): string | null => /^([A-Za-z_][A-Za-z0-9_]*)\.id$/.exec(personId)?.[1] ?? null;

function compilePerson(person: PersonCriteriaDef, options: CompileOptions): Sql {
  const alias = personAlias(options.personId) ?? 'pf';
  const mysql = options.mysql ?? false;
  // Compared as bytes on MySQL, as text constraints are (filter.sql.ts): case folding, and nothing else.
  const bytes = (column: string) => (mysql ? `CAST(${column} AS BINARY)` : column);
  const parts: Sql[] = [];
  if (person.known !== undefined)
    parts.push({ text: `${alias}.email IS ${person.known ? 'NOT ' : ''}NULL`, params: [] });
  if (person.emailDomain !== undefined) {
    // email_normalized is lower-cased; the domain never holds "@", so "ends with @domain" is "the domain after the
    // last @". IS NOT NULL keeps the condition true or false, never NULL: NOT of it (a negated nested list, `not`
    // in advancedLogic) must hold for a person without one.
    parts.push({
      text: `(${alias}.email_normalized IS NOT NULL AND ${bytes(`${alias}.email_normalized`)} LIKE ? ${LIKE_ESCAPE})`,
      params: [likePattern(`@${person.emailDomain}`, 'endsWith')],
    });
  }
  if (person.company !== undefined)
    parts.push({
      text: `(${alias}.company IS NOT NULL AND ${bytes(`LOWER(${alias}.company)`)} = ?)`,
      params: [person.company.toLowerCase()],
    });
  if (person.score?.atLeast !== undefined) parts.push({ text: `${alias}.score >= ?`, params: [person.score.atLeast] });
  if (person.score?.atMost !== undefined) parts.push({ text: `${alias}.score <= ?`, params: [person.score.atMost] });
  if (person.createdAt)
    parts.push(compileDateOfActivity(person.createdAt, options.now, alias, 'created_at', options.timeZone));
  const condition = and(parts);
  if (alias !== 'pf') return condition;
  return {
    text: `EXISTS (SELECT 1 FROM person pf WHERE pf.id = ${options.personId} AND ${condition.text})`,
    params: condition.params,
  };
}

/** idx_campaign_run_person_campaign serves the probe: a person's runs of one campaign, by time. */
function compileWasInCampaign(filter: WasInCampaignFilterDef, options: CompileOptions): Sql {
  const parts: Sql[] = [
    { text: `r.person_id = ${options.personId}`, params: [] },
    { text: 'r.campaign_id = ?', params: [filter.campaignId] },
  ];
  if (filter.dateOfActivity)
    parts.push(compileDateOfActivity(filter.dateOfActivity, options.now, 'r', 'triggered_at', options.timeZone));
  const where = parts.map((part) => part.text).join(' AND ');
  return {
    text: `${filter.negated ? 'NOT ' : ''}EXISTS (SELECT 1 FROM campaign_run r WHERE ${where})`,
    params: parts.flatMap((part) => part.params),
  };
}

/**
 * The nested list's condition on the same person. Writes keep every list
 * within MAX_LIST_NESTING and out of cycles (membership-graph.ts) and refuse
 * to delete a list in use; a list missing here all the same (a definition
 * read while another was being removed) has no members.
 */
function compileMemberOf(filter: MemberOfSmartListFilterDef, options: CompileOptions, compileSet: CompileSet): Sql {
  const nesting = (options.nesting ?? 0) + 1;
  const nested = options.lists?.get(filter.smartListId);
  if (!nested || nesting > MAX_LIST_NESTING) return filter.negated ? TRUE : FALSE;
  const condition = compileSet(nested, { ...options, nesting });
  return { text: `${filter.negated ? 'NOT ' : ''}(${condition.text})`, params: condition.params };
}
