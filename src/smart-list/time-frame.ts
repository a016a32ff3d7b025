import { addDays, addMonths, type CalendarDate, dateIn, isoWeekday, startOfDay } from '../shared/time-zone';
import { TimeFrame } from './filter.model';

/**
 * `inTimeFrame`: a calendar range in the workspace's time zone around the
 * evaluation time, as the instants [from, to) that SQL compares occurred_at
 * with. Computed here, never in SQL, so SQLite and MariaDB (whose time zone
 * tables may not even be loaded) get the same bounds. A range is whole
 * calendar units (THIS_WEEK ends next Monday, not now); weeks start on
 * Monday, quarters in January, April, July and October. Its bounds are the
 * zone's midnights, so a range over a DST change is an hour shorter or longer.
 */
export interface InstantRange {
  from: number;
  to: number;
}

interface DateRange {
  first: CalendarDate;
  /** The day after the last one. */
  end: CalendarDate;
}

const firstOfMonth = (date: CalendarDate): CalendarDate => ({ ...date, day: 1 });
const firstOfQuarter = (date: CalendarDate): CalendarDate => ({
  year: date.year,
  month: date.month - ((date.month - 1) % 3),
  day: 1,
});
const firstOfYear = (date: CalendarDate): CalendarDate => ({ year: date.year, month: 1, day: 1 });
const monday = (date: CalendarDate): CalendarDate => addDays(date, 1 - isoWeekday(date));

function dateRange(frame: TimeFrame, today: CalendarDate): DateRange {
  const span = (first: CalendarDate, end: CalendarDate): DateRange => ({ first, end });
  switch (frame) {
    case TimeFrame.TODAY:
      return span(today, addDays(today, 1));
    case TimeFrame.YESTERDAY:
      return span(addDays(today, -1), today);
    case TimeFrame.THIS_WEEK:
      return span(monday(today), addDays(monday(today), 7));
    case TimeFrame.LAST_WEEK:
      return span(addDays(monday(today), -7), monday(today));
    case TimeFrame.THIS_MONTH:
      return span(firstOfMonth(today), addMonths(firstOfMonth(today), 1));
    case TimeFrame.LAST_MONTH:
      return span(addMonths(firstOfMonth(today), -1), firstOfMonth(today));
    case TimeFrame.THIS_QUARTER:
      return span(firstOfQuarter(today), addMonths(firstOfQuarter(today), 3));
    case TimeFrame.LAST_QUARTER:
      return span(addMonths(firstOfQuarter(today), -3), firstOfQuarter(today));
    case TimeFrame.THIS_YEAR:
      return span(firstOfYear(today), addMonths(firstOfYear(today), 12));
    case TimeFrame.LAST_YEAR:
      return span(addMonths(firstOfYear(today), -12), firstOfYear(today));
  }
}

/** The frame around `now` (epoch ms) in `timeZone` (an IANA name already checked). */
export function timeFrameRange(frame: TimeFrame, now: number, timeZone: string): InstantRange {
  const { first, end } = dateRange(frame, dateIn(now, timeZone));
  return { from: startOfDay(first, timeZone), to: startOfDay(end, timeZone) };
}

const usesFrame = new WeakMap<object, boolean>();

/**
 * Whether a parsed definition holds an inTimeFrame anywhere (activity or
 * other date filters alike), so only those pay for reading the workspace's
 * time zone. Definitions are immutable once parsed: the answer is kept.
 */
export function usesTimeFrame(definition: object): boolean {
  let known = usesFrame.get(definition);
  if (known === undefined) {
    const visit = (value: unknown): boolean =>
      value !== null &&
      typeof value === 'object' &&
      ((value as { kind?: unknown }).kind === 'inTimeFrame' || Object.values(value).some(visit));
    known = visit(definition);
    usesFrame.set(definition, known);
  }
  return known;
}
