/** A DataLoader batch's answer: the row of each key, in key order, null where there is none. */
export function inKeyOrder<T extends { id: string }>(ids: readonly string[], rows: readonly T[]): Array<T | null> {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}
