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
  /** A key may only grant scopes it holds itself. */
  SCOPE_ESCALATION = 'SCOPE_ESCALATION',
  /** A workspace keeps at least one key that can manage it. */
  LAST_MANAGE_KEY = 'LAST_MANAGE_KEY',
  ALLOWED_ORIGINS_INVALID = 'ALLOWED_ORIGINS_INVALID',
  /** The request's Origin is not on the key's allow-list. */
  ORIGIN_NOT_ALLOWED = 'ORIGIN_NOT_ALLOWED',
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

export function scopeEscalation(scopes: readonly Scope[]): AppError {
  return new AppError(
    ErrorCode.FORBIDDEN,
    `A key can only grant scopes it holds itself: this one lacks ${scopes.join(', ')}`,
    ['scopes'],
    AuthErrorReason.SCOPE_ESCALATION,
  );
}

export function lastManageKey(): AppError {
  return new AppError(
    ErrorCode.CONFLICT,
    'This is the last key of the workspace that holds MANAGE: create another one before revoking it',
    ['id'],
    AuthErrorReason.LAST_MANAGE_KEY,
  );
}

export function originNotAllowed(): AppError {
  return new AppError(
    ErrorCode.FORBIDDEN,
    "This API key may not be used from this page's origin",
    undefined,
    AuthErrorReason.ORIGIN_NOT_ALLOWED,
  );
}
