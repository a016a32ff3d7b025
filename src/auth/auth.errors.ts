import { AppError, ErrorCode } from '../shared/errors';
import type { Scope } from './scope';

export enum AuthErrorReason {
  API_KEY_MISSING = 'API_KEY_MISSING',
  API_KEY_INVALID = 'API_KEY_INVALID',
  API_KEY_REVOKED = 'API_KEY_REVOKED',
  SCOPE_MISSING = 'SCOPE_MISSING',
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
  API_KEY_NAME_INVALID = 'API_KEY_NAME_INVALID',
  API_KEY_SCOPES_INVALID = 'API_KEY_SCOPES_INVALID',
  BOOTSTRAP_KEY_TOO_WEAK = 'BOOTSTRAP_KEY_TOO_WEAK',
}

const UNAUTHENTICATED_MESSAGES: Record<string, string> = {
  [AuthErrorReason.API_KEY_MISSING]: 'An API key is required: send "Authorization: Bearer <secret>"',
  [AuthErrorReason.API_KEY_INVALID]: 'The API key is not valid',
  [AuthErrorReason.API_KEY_REVOKED]: 'The API key has been revoked',
};

export type AuthFailure =
  AuthErrorReason.API_KEY_MISSING | AuthErrorReason.API_KEY_INVALID | AuthErrorReason.API_KEY_REVOKED;

export function unauthenticated(reason: AuthFailure): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGES[reason], undefined, reason);
}

export function missingScope(scopes: readonly Scope[]): AppError {
  return new AppError(
    ErrorCode.FORBIDDEN,
    `This API key lacks the ${scopes.join(', ')} scope${scopes.length > 1 ? 's' : ''}`,
    undefined,
    AuthErrorReason.SCOPE_MISSING,
  );
}
