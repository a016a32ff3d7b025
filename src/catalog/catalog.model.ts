/** What a catalog entry is. Values are stored (catalog_entry.entry_type); never rename them. */
export enum CatalogType {
  CHAT = 'CHAT',
  AGENT = 'AGENT',
  DOCUMENT = 'DOCUMENT',
}

/** An entry's key within its workspace: its type and the id the widget gave it. */
export interface CatalogKey {
  type: CatalogType;
  widgetId: string;
}

/** Picker search: names starting with this, at most this long. */
export const MAX_SEARCH_LENGTH = 255;

/** Characters a name (and so its key column) may hold. */
export const MAX_NAME_LENGTH = 255;

/**
 * The name as searched and ordered: lower-cased, the same folding as
 * smart-list text matches. Lower-casing can lengthen a name ("İ" becomes two
 * code points), so the key keeps the column's 255 characters at most.
 */
export const nameKey = (name: string): string => [...name.toLowerCase()].slice(0, MAX_NAME_LENGTH).join('');
