import type { DateOfActivityDef, FilterDef } from './filter.model';

/**
 * Filters on the person rather than on their activities: attributes of the
 * person row, membership of another smart list, runs of a campaign. They are
 * numbered with the activity filters (FilterDef) in one list, so ALL / ANY /
 * ADVANCED logic combines every kind. Stored as JSON beside activity filters,
 * told apart by `kind` (activity filters, stored before kinds existed, have
 * none).
 */

export interface ScoreRangeDef {
  /** Inclusive. */
  atLeast?: number;
  /** Inclusive. */
  atMost?: number;
}

/** Every set attribute must hold; at least one is set. */
export interface PersonCriteriaDef {
  /** Known: the person has an e-mail address. */
  known?: boolean;
  /** As given; matched lower-cased against the part after the last `@`. */
  emailDomain?: string;
  /** As given; matched exactly, case-insensitively. */
  company?: string;
  score?: ScoreRangeDef;
  createdAt?: DateOfActivityDef;
}

export interface PersonFilterDef {
  position: number;
  kind: 'person';
  person: PersonCriteriaDef;
}

export interface MemberOfSmartListFilterDef {
  position: number;
  kind: 'memberOfSmartList';
  /** Raw id of a list of the same workspace. */
  smartListId: string;
  negated: boolean;
}

export interface WasInCampaignFilterDef {
  position: number;
  kind: 'wasInCampaign';
  /** Raw id of a campaign of the same workspace. */
  campaignId: string;
  /** On the run's time (when the campaign triggered for the person). */
  dateOfActivity: DateOfActivityDef | null;
  negated: boolean;
}

export type PersonLevelFilterDef = PersonFilterDef | MemberOfSmartListFilterDef | WasInCampaignFilterDef;

/** One numbered filter of a set, of any kind. */
export type AnyFilterDef = FilterDef | PersonLevelFilterDef;

export const isActivityFilter = (filter: AnyFilterDef): filter is FilterDef => !('kind' in filter);

/**
 * How deep memberOfSmartList may nest: a list that refers to a list that
 * refers to a third (a → b → c) is the deepest chain.
 */
export const MAX_LIST_NESTING = 3;

/** The raw ids of the lists a set of filters names directly, each once, in order. */
export function referencedListIds(filters: readonly AnyFilterDef[]): string[] {
  const ids = filters.flatMap((f) => ('kind' in f && f.kind === 'memberOfSmartList' ? [f.smartListId] : []));
  return [...new Set(ids)];
}

export function referencedCampaignIds(filters: readonly AnyFilterDef[]): string[] {
  const ids = filters.flatMap((f) => ('kind' in f && f.kind === 'wasInCampaign' ? [f.campaignId] : []));
  return [...new Set(ids)];
}
