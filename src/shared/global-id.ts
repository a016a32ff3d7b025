/**
 * Relay object identification, GraphQL-free (the API layer's Node interface
 * and operator tooling share it): every type with its own identity has a
 * global id, base64url of `<Type>:<raw id>`, so `node(id:)` knows from the id
 * alone which one table to read. Services and the database keep speaking raw
 * ids; only the edges (the API, the key CLI) encode and decode.
 */
export const NODE_TYPES = [
  'Person',
  'Activity',
  'SmartList',
  'Campaign',
  'CampaignRun',
  'Delivery',
  'ApiKey',
  'Workspace',
  'Chat',
  'Agent',
  'Document',
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

const KNOWN: ReadonlySet<string> = new Set(NODE_TYPES);
/** Far above any id this API makes (a chat's: a workspace id and a widget id of up to 128 characters). */
const MAX_GLOBAL_ID = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function toGlobalId(type: NodeType, rawId: string): string {
  return Buffer.from(`${type}:${rawId}`, 'utf8').toString('base64url');
}

/** The type and raw id a global id names; null for anything that is not one of ours. */
export function fromGlobalId(id: string): { type: NodeType; rawId: string } | null {
  if (id.length > MAX_GLOBAL_ID || !BASE64URL.test(id)) return null;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  // Only the canonical encoding of valid UTF-8 counts (Buffer decodes junk leniently).
  if (Buffer.from(text, 'utf8').toString('base64url') !== id) return null;
  const colon = text.indexOf(':');
  if (colon < 1) return null;
  const type = text.slice(0, colon);
  return KNOWN.has(type) ? { type: type as NodeType, rawId: text.slice(colon + 1) } : null;
}

/**
 * An id argument of a `type`: its global id, or the raw id as before global
 * ids existed (kept so stored ids keep working). A global id of another
 * type comes back as it is, which no row has as its id: it names nothing,
 * as an unknown id does (null, or NOT_FOUND).
 */
export function rawIdOf(id: string, type: NodeType): string {
  const global = fromGlobalId(id);
  if (global === null) return id;
  return global.type === type ? global.rawId : id;
}

/** The raw id of a chat, an agent or a document: unique only with its workspace's. */
export const catalogRawId = (workspaceId: string, widgetId: string): string => `${workspaceId}:${widgetId}`;

export function splitCatalogRawId(rawId: string): { workspaceId: string; widgetId: string } | null {
  const colon = rawId.indexOf(':');
  if (colon < 1 || colon === rawId.length - 1) return null;
  return { workspaceId: rawId.slice(0, colon), widgetId: rawId.slice(colon + 1) };
}
