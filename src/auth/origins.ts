import { UserInputError } from '../shared/errors';
import { AuthErrorReason } from './auth.errors';

export const MAX_ALLOWED_ORIGINS = 50;

/**
 * An allow-list entry as a browser sends it in `Origin`: scheme, host and a
 * port other than the scheme's default (`https://shop.example.com`), lower
 * case; null for anything else (a path, credentials, another scheme).
 */
export function normalizeOrigin(value: string): string | null {
  if (value.length > 2048) return null;
  try {
    const url = new URL(value);
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname && bare ? url.origin : null;
  } catch {
    return null;
  }
}

/** The allow-list of a key, checked and normalized; null or empty: any origin. */
export function parseAllowedOrigins(values: readonly string[] | null | undefined, field: string[]): string[] | null {
  if (!values || values.length === 0) return null;
  if (values.length > MAX_ALLOWED_ORIGINS) {
    throw new UserInputError(`at most ${MAX_ALLOWED_ORIGINS} origins`, field, AuthErrorReason.ALLOWED_ORIGINS_INVALID);
  }
  return [
    ...new Set(
      values.map((value, i) => {
        const origin = normalizeOrigin(value);
        if (!origin) {
          throw new UserInputError(
            'an origin is a scheme, a host and an optional port, as https://shop.example.com',
            [...field, String(i)],
            AuthErrorReason.ALLOWED_ORIGINS_INVALID,
          );
        }
        return origin;
      }),
    ),
  ];
}

/**
 * Whether a request may use a key from `origin` (its Origin header): a key
 * without a list may be used from anywhere; a request without an Origin is
 * not a browser's page (a server), and the list does not limit it.
 */
export function originAllowed(allowed: readonly string[] | null, origin: string | undefined): boolean {
  if (!allowed || origin === undefined) return true;
  const normalized = normalizeOrigin(origin);
  return normalized !== null && allowed.includes(normalized);
}
