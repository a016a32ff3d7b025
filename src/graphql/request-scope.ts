import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The id of the HTTP request being served, for code that runs on its behalf
 * but is not handed its context: Apollo calls formatError with the error
 * alone, and the masked error and its log line must still name the request.
 */
const requestIds = new AsyncLocalStorage<string>();

export function withRequestId<T>(requestId: string, work: () => T): T {
  return requestIds.run(requestId, work);
}

/** The current HTTP request's id, or undefined outside one. */
export const currentRequestId = (): string | undefined => requestIds.getStore();
