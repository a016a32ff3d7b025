import { AppError, ErrorCode, UserInputError, notFound } from '../shared/errors';
import { toGlobalId } from '../shared/global-id';

/**
 * Bound values a definition may compile to with its nested lists inlined:
 * under SQLite's 32,766 per statement with room for the query around it
 * (Person.smartLists adds a batch of person ids).
 */
export const MAX_NESTED_PARAMETERS = 20_000;

export enum SmartListErrorReason {
  SMART_LIST_NOT_FOUND = 'SMART_LIST_NOT_FOUND',
  NAME_TAKEN = 'NAME_TAKEN',
  TOO_MANY_SMART_LISTS = 'TOO_MANY_SMART_LISTS',
  INVALID_FILTER = 'INVALID_FILTER',
  CONSTRAINT_NOT_APPLICABLE = 'CONSTRAINT_NOT_APPLICABLE',
  ONE_OPERATOR_REQUIRED = 'ONE_OPERATOR_REQUIRED',
  INVALID_ADVANCED_LOGIC = 'INVALID_ADVANCED_LOGIC',
  ADVANCED_LOGIC_REQUIRED = 'ADVANCED_LOGIC_REQUIRED',
  ADVANCED_LOGIC_NOT_ALLOWED = 'ADVANCED_LOGIC_NOT_ALLOWED',
  ONE_FILTER_KIND_REQUIRED = 'ONE_FILTER_KIND_REQUIRED',
  /** memberOfSmartList or wasInCampaign names no list or campaign of the workspace. */
  REFERENCE_NOT_FOUND = 'REFERENCE_NOT_FOUND',
  NESTING_CYCLE = 'NESTING_CYCLE',
  NESTING_TOO_DEEP = 'NESTING_TOO_DEEP',
  /** The definition with its nested lists inlined would compile to more bound values than one query takes. */
  NESTING_TOO_LARGE = 'NESTING_TOO_LARGE',
  /** A list that other lists or campaigns filter on cannot be deleted. */
  SMART_LIST_IN_USE = 'SMART_LIST_IN_USE',
}

export const smartListNotFound = (id: string): AppError =>
  notFound('Smart list', id, SmartListErrorReason.SMART_LIST_NOT_FOUND);

export const smartListNameTaken = (name: string): AppError =>
  new AppError(
    ErrorCode.CONFLICT,
    `A smart list named ${JSON.stringify(name)} already exists`,
    ['input', 'name'],
    SmartListErrorReason.NAME_TAKEN,
  );

export const tooManySmartLists = (max: number): AppError =>
  new AppError(
    ErrorCode.CONFLICT,
    `A workspace holds at most ${max} smart lists; delete one first`,
    undefined,
    SmartListErrorReason.TOO_MANY_SMART_LISTS,
  );

export const filterInputError = (
  message: string,
  field: ReadonlyArray<string>,
  reason = SmartListErrorReason.INVALID_FILTER,
): AppError => new UserInputError(message, field, reason);

export const nestingTooLarge = (what: string, size: number, field: ReadonlyArray<string> = ['input', 'filters']) =>
  filterInputError(
    `${what} with its nested lists would compare ${size} values in one query; at most ${MAX_NESTED_PARAMETERS}`,
    field,
    SmartListErrorReason.NESTING_TOO_LARGE,
  );

export const campaignReferenceNotFound = (campaignId: string, filterPath: ReadonlyArray<string>): AppError =>
  filterInputError(
    `no campaign ${toGlobalId('Campaign', campaignId)} in this workspace`,
    [...filterPath, 'wasInCampaign', 'campaignId'],
    SmartListErrorReason.REFERENCE_NOT_FOUND,
  );

/** CONFLICT: the lists and campaigns that filter on it are named, in the message and as global ids. */
export const smartListInUse = (
  name: string,
  lists: ReadonlyArray<{ id: string; name: string }>,
  campaigns: ReadonlyArray<{ id: string; name: string }>,
): AppError => {
  const users = [
    ...lists.map((l) => `smart list ${JSON.stringify(l.name)}`),
    ...campaigns.map((c) => `campaign ${JSON.stringify(c.name)}`),
  ];
  return new AppError(
    ErrorCode.CONFLICT,
    `Smart list ${JSON.stringify(name)} is a filter of ${users.join(', ')}; remove those memberOfSmartList filters first`,
    undefined,
    SmartListErrorReason.SMART_LIST_IN_USE,
    {
      smartListIds: lists.map((l) => toGlobalId('SmartList', l.id)),
      campaignIds: campaigns.map((c) => toGlobalId('Campaign', c.id)),
    },
  );
};
