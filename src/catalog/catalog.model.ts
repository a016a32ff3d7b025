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

/** The name as searched and ordered: lower-cased, the same folding as smart-list text matches. */
export const nameKey = (name: string): string => name.toLowerCase();
