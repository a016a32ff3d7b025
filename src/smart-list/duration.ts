import { type DurationDef, TimeUnit } from './filter.model';

const UNIT_MS: Record<Exclude<TimeUnit, TimeUnit.MONTHS>, number> = {
  [TimeUnit.MINUTES]: 60_000,
  [TimeUnit.HOURS]: 3_600_000,
  [TimeUnit.DAYS]: 86_400_000,
  [TimeUnit.WEEKS]: 7 * 86_400_000,
};

/**
 * `at` minus the duration, in UTC. MONTHS are calendar months clamped to the
 * end of a shorter month (Mar 31 minus one month is Feb 28, or 29), as MySQL's
 * DATE_SUB computes it; computed here rather than in SQL so both databases
 * (SQLite's date modifiers overflow instead of clamping) and the in-memory
 * paths agree.
 */
export function subtractDuration(at: number, duration: DurationDef): number {
  if (duration.unit !== TimeUnit.MONTHS) return at - duration.amount * UNIT_MS[duration.unit];
  const date = new Date(at);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() - duration.amount);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.getTime();
}
