import { AppError, ErrorCode } from '../shared/errors';

export enum ConversationErrorReason {
  ENGAGEMENT_NOT_FOUND = 'ENGAGEMENT_NOT_FOUND',
  CLIENT_EVENT_ID_CONFLICT = 'CLIENT_EVENT_ID_CONFLICT',
}

/** Names nothing the caller did not send (a public key may be asking). */
export const engagementNotFound = (): AppError =>
  new AppError(
    ErrorCode.NOT_FOUND,
    'No ENGAGED activity is recorded for this visitor, session and chat',
    ['input'],
    ConversationErrorReason.ENGAGEMENT_NOT_FOUND,
  );

export const conversationClientEventIdConflict = (): AppError =>
  new AppError(
    ErrorCode.CONFLICT,
    'clientEventId was already used for a conversation update with other content',
    ['input', 'clientEventId'],
    ConversationErrorReason.CLIENT_EVENT_ID_CONFLICT,
  );
