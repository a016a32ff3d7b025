const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * A size as BODY_LIMIT spells it (`1mb`, `512kb`, `100000`; units of 1024,
 * as Express's body parser read them), in bytes. Throws on anything else so
 * a typo fails the start instead of lifting the limit.
 */
export function parseByteSize(size: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(size);
  if (!match) throw new Error(`BODY_LIMIT must be a size such as 1mb, 512kb or 100000 (got "${size}")`);
  return Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]);
}
