import { AppError, ErrorCode, UserInputError, notFound } from '../shared/errors';

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
