import type { ChatKind } from '../activity/activity.entity';
import { UserInputError } from '../shared/errors';

export enum CatalogErrorReason {
  /** The chat exists with another kind: a chat's kind is fixed by its first activity. */
  CHAT_KIND_CONFLICT = 'CHAT_KIND_CONFLICT',
  SEARCH_TOO_LONG = 'SEARCH_TOO_LONG',
}

export function chatKindConflict(field: string[], chatId: string, kind: ChatKind): UserInputError {
  return new UserInputError(
    `chat ${JSON.stringify(chatId)} is a ${kind}: a chat's kind is fixed by its first activity`,
    field,
    CatalogErrorReason.CHAT_KIND_CONFLICT,
  );
}

export function searchTooLong(max: number): UserInputError {
  return new UserInputError(`search must be at most ${max} characters`, ['search'], CatalogErrorReason.SEARCH_TOO_LONG);
}
