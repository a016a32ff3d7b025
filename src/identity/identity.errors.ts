import { AppError, ErrorCode, UserInputError } from '../shared/errors';

export enum IdentityErrorReason {
  /** REQUIRED mode, and the identification carried no valid identityHash. */
  IDENTITY_UNVERIFIED = 'IDENTITY_UNVERIFIED',
  /** REQUIRED needs a secret to verify against: generate one first. */
  IDENTITY_SECRET_REQUIRED = 'IDENTITY_SECRET_REQUIRED',
}

/** Never names the e-mail: the caller may be anyone holding a page's key. */
export const identityUnverified = (field: readonly string[]): AppError =>
  new AppError(
    ErrorCode.FORBIDDEN,
    'This workspace requires identity verification: send identityHash, the hex HMAC-SHA256 of the trimmed, lower-cased e-mail under the workspace identity secret, computed by your backend',
    field,
    IdentityErrorReason.IDENTITY_UNVERIFIED,
  );

export const identitySecretRequired = (): AppError =>
  new UserInputError(
    'REQUIRED needs an identity secret to verify against: call rotateIdentitySecret first',
    ['mode'],
    IdentityErrorReason.IDENTITY_SECRET_REQUIRED,
  );
