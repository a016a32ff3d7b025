import type { AuthCheckerFn } from 'type-graphql';
import type { RequestContext } from '../graphql/context';
import { missingScope } from './auth.errors';
import type { Scope } from './scope';

/**
 * `@Authorized(...scopes)`: the key must be valid and hold every listed scope.
 * Throws rather than returning false so the client gets the precise code
 * (UNAUTHENTICATED vs FORBIDDEN) and reason.
 */
export const authChecker: AuthCheckerFn<RequestContext, Scope> = ({ context }, scopes) => {
  const auth = context.requireAuth();
  const missing = scopes.filter((scope) => !auth.scopes.has(scope));
  if (missing.length > 0) throw missingScope(missing);
  return true;
};
