import { rawIdOf } from '../shared/global-id';
import { parseDateOfActivity } from './filter.parser';
import type {
  MemberOfSmartListFilterDef,
  PersonCriteriaDef,
  PersonFilterDef,
  PersonLevelFilterDef,
  ScoreRangeDef,
  WasInCampaignFilterDef,
} from './person-filter.model';
import { filterInputError, SmartListErrorReason } from './smart-list.errors';

/**
 * Which kind a filter input is (exactly one of activity, person,
 * memberOfSmartList, wasInCampaign), and the person-level kinds parsed.
 * Whether referenced lists and campaigns exist, and whether lists nest
 * within bounds, needs the database: the smart-list service checks that
 * (membership-graph.ts) before anything is stored.
 */

type Path = ReadonlyArray<string>;
type Loose = Record<string, unknown>;

export const FILTER_KINDS = ['activity', 'person', 'memberOfSmartList', 'wasInCampaign'] as const;
export type FilterKind = (typeof FILTER_KINDS)[number];

const PERSON_FIELDS = ['known', 'emailDomain', 'company', 'score', 'createdAt'] as const;
/** person.company and the domain part of person.email are at most this long. */
const MAX_ATTRIBUTE_LENGTH = 255;
/** person.score is a 32-bit INT. */
const MAX_SCORE = 2_147_483_647;

const isSet = (value: unknown): boolean => value !== undefined && value !== null;

export function filterKind(raw: Loose, path: Path): FilterKind {
  const given = FILTER_KINDS.filter((kind) => isSet(raw[kind]));
  if (given.length === 1) return given[0];
  if (given.length === 0) {
    throw filterInputError(
      `set exactly one of ${FILTER_KINDS.join(', ')} (found none)`,
      path,
      SmartListErrorReason.ONE_FILTER_KIND_REQUIRED,
    );
  }
  throw filterInputError(
    `set exactly one of ${FILTER_KINDS.join(', ')} (found ${given.join(' and ')})`,
    [...path, given[1]],
    SmartListErrorReason.ONE_FILTER_KIND_REQUIRED,
  );
}

/** The fields of an activity filter, with the values GraphQL fills in when they are left out. */
const ACTIVITY_ONLY: ReadonlyArray<[field: string, defaultValue: unknown]> = [
  ['negated', false],
  ['constraints', null],
  ['dateOfActivity', null],
  ['minNumberOfTimes', 1],
];

export function parsePersonLevelFilter(
  raw: Loose,
  path: Path,
  position: number,
  kind: Exclude<FilterKind, 'activity'>,
): PersonLevelFilterDef {
  for (const [field, defaultValue] of ACTIVITY_ONLY) {
    if (isSet(raw[field]) && raw[field] !== defaultValue) {
      const hint =
        field === 'negated'
          ? kind === 'person'
            ? '; negate a person filter with "not" in advancedLogic'
            : `; use ${kind}.negated`
          : '';
      throw filterInputError(`${field} belongs to activity filters, not to ${kind}${hint}`, [...path, field]);
    }
  }
  const inner = [...path, kind];
  switch (kind) {
    case 'person':
      return { position, kind, person: parsePersonCriteria(raw.person, inner) } satisfies PersonFilterDef;
    case 'memberOfSmartList': {
      const input = object(raw.memberOfSmartList, inner);
      return {
        position,
        kind,
        smartListId: rawIdOf(id(input.smartListId, [...inner, 'smartListId']), 'SmartList'),
        negated: flag(input.negated, [...inner, 'negated']),
      } satisfies MemberOfSmartListFilterDef;
    }
    case 'wasInCampaign': {
      const input = object(raw.wasInCampaign, inner);
      return {
        position,
        kind,
        campaignId: rawIdOf(id(input.campaignId, [...inner, 'campaignId']), 'Campaign'),
        dateOfActivity: parseDateOfActivity(input.dateOfActivity, [...inner, 'dateOfActivity']),
        negated: flag(input.negated, [...inner, 'negated']),
      } satisfies WasInCampaignFilterDef;
    }
  }
}

function object(input: unknown, path: Path): Loose {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw filterInputError('must be an object', path);
  return input as Loose;
}

function id(value: unknown, path: Path): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024)
    throw filterInputError('must be an id', path);
  return value;
}

function flag(value: unknown, path: Path): boolean {
  if (!isSet(value)) return false;
  if (typeof value !== 'boolean') throw filterInputError('must be a boolean', path);
  return value;
}

function text(value: unknown, path: Path): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ATTRIBUTE_LENGTH)
    throw filterInputError(`must be 1 to ${MAX_ATTRIBUTE_LENGTH} characters`, path);
  return value;
}

function parsePersonCriteria(input: unknown, path: Path): PersonCriteriaDef {
  const raw = object(input, path);
  if (!PERSON_FIELDS.some((field) => isSet(raw[field]))) {
    throw filterInputError(
      `set at least one of ${PERSON_FIELDS.join(', ')}`,
      path,
      SmartListErrorReason.ONE_OPERATOR_REQUIRED,
    );
  }
  const out: PersonCriteriaDef = {};
  if (isSet(raw.known)) {
    if (typeof raw.known !== 'boolean') throw filterInputError('must be a boolean', [...path, 'known']);
    out.known = raw.known;
  }
  if (isSet(raw.emailDomain)) {
    const domain = text(raw.emailDomain, [...path, 'emailDomain']);
    if (/[@\s]/.test(domain))
      throw filterInputError('must be a domain without "@" or spaces, e.g. acme.io', [...path, 'emailDomain']);
    out.emailDomain = domain;
  }
  if (isSet(raw.company)) out.company = text(raw.company, [...path, 'company']);
  if (isSet(raw.score)) out.score = parseScoreRange(raw.score, [...path, 'score']);
  if (isSet(raw.createdAt)) out.createdAt = parseDateOfActivity(raw.createdAt, [...path, 'createdAt'])!;
  return out;
}

function parseScoreRange(input: unknown, path: Path): ScoreRangeDef {
  const raw = object(input, path);
  const out: ScoreRangeDef = {};
  for (const bound of ['atLeast', 'atMost'] as const) {
    const value = raw[bound];
    if (!isSet(value)) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > MAX_SCORE)
      throw filterInputError(`must be an integer from -${MAX_SCORE} to ${MAX_SCORE}`, [...path, bound]);
    out[bound] = value;
  }
  if (out.atLeast === undefined && out.atMost === undefined)
    throw filterInputError('set atLeast, atMost or both', path, SmartListErrorReason.ONE_OPERATOR_REQUIRED);
  if (out.atLeast !== undefined && out.atMost !== undefined && out.atLeast > out.atMost)
    throw filterInputError('atMost must not be below atLeast', [...path, 'atMost']);
  return out;
}
