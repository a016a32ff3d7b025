/**
 * Opaque keyset cursors: base64url of a JSON array of the sort key values,
 * e.g. [occurredAtMs, id]. Free of GraphQL so services can use them.
 */
export type CursorKey = ReadonlyArray<string | number>;

export class InvalidCursorError extends Error {
  constructor() {
    super('Invalid cursor');
  }
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor with the given element types; anything else is InvalidCursorError. */
export function decodeCursor<T extends CursorKey>(cursor: string, shape: ReadonlyArray<'string' | 'number'>): T {
  let value: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw new InvalidCursorError();
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (
    !Array.isArray(value) ||
    value.length !== shape.length ||
    value.some((item, i) => typeof item !== shape[i] || (typeof item === 'number' && !Number.isFinite(item)))
  ) {
    throw new InvalidCursorError();
  }
  return value as unknown as T;
}
