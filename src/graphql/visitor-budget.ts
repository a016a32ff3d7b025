import { AppError, ErrorCode } from '../shared/errors';
import { rateCaller } from '../http/admission';
import type { RequestContext } from './context';

/**
 * A public key's recordings and identifications spend one point per visitor
 * id each (RateLimits.consumeVisitor): one visitor's flood is refused without
 * touching the others sharing the key. Keys that are not public spend nothing.
 * Returns the refusal per visitor id (absent: allowed).
 */
export async function visitorRefusals(
  ctx: RequestContext,
  visitorIds: readonly string[],
): Promise<Map<string, AppError>> {
  const caller = rateCaller(ctx.requireAuth());
  const refusals = new Map<string, AppError>();
  for (const visitorId of new Set(visitorIds)) {
    const decision = await ctx.services.rateLimits.consumeVisitor(caller, visitorId);
    if (!decision.ok) {
      refusals.set(
        visitorId,
        new AppError(
          ErrorCode.RATE_LIMITED,
          `This visitor is sending faster than the key allows: retry in ${decision.retryAfterSeconds} s`,
          ['visitorId'],
          'VISITOR_RATE_LIMITED',
          { retryAfterSeconds: decision.retryAfterSeconds },
        ),
      );
    }
  }
  return refusals;
}
