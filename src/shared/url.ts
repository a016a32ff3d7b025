export const MAX_URL = 2048;

function parseHttpUrl(url: string): URL | null {
  if (url.length > MAX_URL) return null;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '' ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * An absolute http(s) URL of at most 2048 characters: the only URLs the API
 * stores (a `javascript:` or `data:` URL shown as a link by a frontend would
 * run in its page).
 */
export const isHttpUrl = (url: string): boolean => parseHttpUrl(url) !== null;

/** An http(s) URL the server POSTs to: also without credentials in it (they would be stored and shown in clear). */
export function validEndpointUrl(url: string): boolean {
  const parsed = parseHttpUrl(url);
  return parsed !== null && !parsed.username && !parsed.password;
}
