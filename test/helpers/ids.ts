/**
 * Global ids as the API makes them (README, "Object identification"):
 * base64url of `<Type>:<raw id>`. Tests compare API answers with raw ids
 * they know from elsewhere (the database, delivery bodies, the bootstrap key).
 */
export const globalId = (type: string, rawId: string): string =>
  Buffer.from(`${type}:${rawId}`, 'utf8').toString('base64url');

/** The raw id a global id carries (after its type). */
export function rawId(id: string): string {
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 1 || globalId(text.slice(0, colon), text.slice(colon + 1)) !== id)
    throw new Error(`not a global id: ${id}`);
  return text.slice(colon + 1);
}

/** A chat's, an agent's or a document's global id: the raw id is the workspace's and the widget's. */
export const catalogId = (type: 'Chat' | 'Agent' | 'Document', workspaceId: string, widgetId: string): string =>
  globalId(type, `${workspaceId}:${widgetId}`);

/** The raw id of a global id, and any other id as it is (for helpers that take ids from either side). */
export function rawOf(id: string): string {
  try {
    return rawId(id);
  } catch {
    return id;
  }
}
