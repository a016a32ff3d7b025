/**
 * Calendar arithmetic in an IANA time zone with nothing but Intl (Node ships
 * full ICU, so every zone resolves offline). A day's start is found from the
 * zone's UTC offsets around it rather than assumed at 24-hour steps: days
 * with a DST change have 23 or 25 hours, and in a few zones the change
 * happens at midnight, so the day starts at 01:00 or midnight comes twice.
 */

export const DEFAULT_TIME_ZONE = 'UTC';
export const MAX_TIME_ZONE_LENGTH = 64;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** A calendar date (month 1..12), as in the zone's wall clock. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

interface WallClock extends CalendarDate {
  hour: number;
  minute: number;
  second: number;
}

function wallClock(at: number, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatOf(timeZone).formatToParts(new Date(at))) parts[part.type] = part.value;
  const year = Number(parts.year);
  return {
    // Years before 1 AD come as "BC" with a positive year.
    year: parts.era === 'BC' || parts.era === 'B' ? 1 - year : year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The zone's offset from UTC at this instant, in ms (whole seconds: sub-second offsets do not exist since 1972). */
export function offsetAt(at: number, timeZone: string): number {
  const wall = wallClock(at, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The calendar date in the zone at this instant. */
export function dateIn(at: number, timeZone: string): CalendarDate {
  const { year, month, day } = wallClock(at, timeZone);
  return { year, month, day };
}

/**
 * The first instant of a calendar date in the zone. Each offset the zone has
 * within a day of that midnight is tried: a candidate is right when the zone
 * has that offset there. Of two right ones (midnight comes twice) the earlier
 * is the start; with none (midnight skipped by a DST gap) the day starts at
 * the change, which is midnight in the offset before it.
 */
export function startOfDay(date: CalendarDate, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day);
  const offsets = [...new Set([-DAY_MS, 0, DAY_MS].map((shift) => offsetAt(wall + shift, timeZone)))];
  const candidates = offsets.map((offset) => ({ at: wall - offset, offset }));
  const valid = candidates.filter((c) => offsetAt(c.at, timeZone) === c.offset).map((c) => c.at);
  if (valid.length > 0) return Math.min(...valid);
  return Math.max(...candidates.map((c) => c.at));
}

/** Calendar arithmetic on dates alone (no zone involved): normalizes overflowing days and months. */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const total = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(total / 12);
  return { year, month: total - year * 12 + 1, day: date.day };
}

/** ISO weekday: Monday 1 .. Sunday 7. */
export function isoWeekday(date: CalendarDate): number {
  const day = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return day === 0 ? 7 : day;
}

/**
 * The zone's canonical name (as Intl resolves it: "utc" is "UTC",
 * "europe/berlin" is "Europe/Berlin") or null when it is not an IANA zone
 * name. Offsets such as "+02:00", which newer engines accept as zones, are
 * not names: they would not follow DST.
 */
export function canonicalTimeZone(name: string): string | null {
  if (name.length === 0 || name.length > MAX_TIME_ZONE_LENGTH) return null;
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
