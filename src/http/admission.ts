import type { ApiKeyService, AuthResult } from '../auth/api-key.service';
import { originNotAllowed } from '../auth/auth.errors';
import { originAllowed } from '../auth/origins';
import { isPublicKey } from '../auth/scope';
import type { AppError } from '../shared/errors';
import type { RateCaller, RateDecision, RateLimits } from '../shared/rate-limit';

export type Admission =
  | { ok: true; auth: AuthResult }
  | { ok: false; limited: Extract<RateDecision, { ok: false }> }
  | { ok: false; forbidden: AppError };

export interface AdmissionRequest {
  /** The bearer secret, when the request carried a well-formed one. */
  secret: string | null;
  ip: string;
  /** The Origin header: a browser page's origin; absent for a server. */
  origin: string | undefined;
}

export const rateCaller = (auth: Extract<AuthResult, { ok: true }>['auth']): RateCaller => ({
  apiKeyId: auth.apiKeyId,
  workspaceId: auth.workspaceId,
  isPublic: isPublicKey(auth.scopes),
});

/**
 * Who may come in, the same on HTTP (every request) and on WebSocket (every
 * connection_init):
 *
 * 1. a key this instance knows valid goes on at once;
 * 2. otherwise, a client address whose budget for failed keys is spent is
 *    refused before any lookup, so a flood of guesses never reaches the
 *    database;
 * 3. a lookup that fails spends that budget (the request itself goes on
 *    unauthenticated: resolvers answer UNAUTHENTICATED where a key is needed);
 * 4. a valid key used from a browser page whose origin is not on its
 *    allow-list is FORBIDDEN (ORIGIN_NOT_ALLOWED);
 * 5. a valid key spends its request budget (see RateLimits).
 */
export async function admit(
  apiKeys: ApiKeyService,
  rateLimits: RateLimits,
  request: AdmissionRequest,
): Promise<Admission> {
  let auth = apiKeys.cached(request.secret);
  if (!auth) {
    const spent = await rateLimits.unauthenticatedSpent(request.ip);
    if (!spent.ok) return { ok: false, limited: spent };
    auth = await apiKeys.authenticate(request.secret);
  }
  if (!auth.ok) {
    const decision = await rateLimits.consumeUnauthenticated(request.ip);
    return decision.ok ? { ok: true, auth } : { ok: false, limited: decision };
  }
  if (!originAllowed(auth.auth.allowedOrigins, request.origin)) return { ok: false, forbidden: originNotAllowed() };
  const decision = await rateLimits.consumeCaller(rateCaller(auth.auth), request.ip);
  return decision.ok ? { ok: true, auth } : { ok: false, limited: decision };
}
