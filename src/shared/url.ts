export const MAX_URL = 2048;

/** http(s), absolute, no credentials in it (they would be stored and shown in clear), at most 2048 characters. */
export function validEndpointUrl(url: string): boolean {
  if (url.length > MAX_URL) return false;
  try {
    const parsed = new URL(url);
    return (
      (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
      parsed.hostname !== '' &&
      !parsed.username &&
      !parsed.password
    );
  } catch {
    return false;
  }
}
