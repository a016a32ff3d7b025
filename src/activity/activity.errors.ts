import { AppError, ErrorCode, UserInputError } from '../shared/errors';

export enum ActivityErrorReason {
  INVALID_INPUT = 'INVALID_INPUT',
  FIELD_NOT_ALLOWED = 'FIELD_NOT_ALLOWED',
  FIELD_REQUIRED = 'FIELD_REQUIRED',
  OCCURRED_AT_IN_FUTURE = 'OCCURRED_AT_IN_FUTURE',
  OCCURRED_AT_TOO_OLD = 'OCCURRED_AT_TOO_OLD',
  MEETING_STARTS_AT_OUT_OF_RANGE = 'MEETING_STARTS_AT_OUT_OF_RANGE',
  BATCH_SIZE = 'BATCH_SIZE',
  CLIENT_EVENT_ID_CONFLICT = 'CLIENT_EVENT_ID_CONFLICT',
  ACTIVITY_NOT_FOUND = 'ACTIVITY_NOT_FOUND',
}

export function clientEventIdConflict(field: string[]): AppError {
  return new AppError(
    ErrorCode.CONFLICT,
    'clientEventId was already used for an activity with other content',
    field,
    ActivityErrorReason.CLIENT_EVENT_ID_CONFLICT,
  );
}

export function batchSizeError(max: number): UserInputError {
  return new UserInputError(`inputs must hold 1..${max} activities`, ['inputs'], ActivityErrorReason.BATCH_SIZE);
}
