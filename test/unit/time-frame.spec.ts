import { TimeFrame } from '../../src/smart-list/filter.model';
import { timeFrameRange, usesTimeFrame } from '../../src/smart-list/time-frame';
import { canonicalTimeZone, startOfDay } from '../../src/shared/time-zone';

const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const range = (frame: TimeFrame, now: string, zone: string) => {
  const { from, to } = timeFrameRange(frame, Date.parse(now), zone);
  return [iso(from), iso(to)];
};

describe('time frames in a time zone', () => {
  it.each([
    // Wednesday 2026-03-11 in UTC.
    [TimeFrame.TODAY, '2026-03-11T15:00:00Z', 'UTC', '2026-03-11T00:00:00.000Z', '2026-03-12T00:00:00.000Z'],
    [TimeFrame.YESTERDAY, '2026-03-11T15:00:00Z', 'UTC', '2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z'],
    [TimeFrame.THIS_WEEK, '2026-03-11T15:00:00Z', 'UTC', '2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z'],
    [TimeFrame.LAST_WEEK, '2026-03-11T15:00:00Z', 'UTC', '2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z'],
    [TimeFrame.THIS_MONTH, '2026-03-11T15:00:00Z', 'UTC', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
    [TimeFrame.LAST_MONTH, '2026-03-11T15:00:00Z', 'UTC', '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
    [TimeFrame.THIS_QUARTER, '2026-03-11T15:00:00Z', 'UTC', '2026-01-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
    [TimeFrame.LAST_QUARTER, '2026-03-11T15:00:00Z', 'UTC', '2025-10-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    [TimeFrame.THIS_YEAR, '2026-03-11T15:00:00Z', 'UTC', '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    [TimeFrame.LAST_YEAR, '2026-03-11T15:00:00Z', 'UTC', '2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    // A Sunday belongs to the week that started the Monday before; a Monday starts its own.
    [TimeFrame.THIS_WEEK, '2026-03-15T23:59:59Z', 'UTC', '2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z'],
    [TimeFrame.THIS_WEEK, '2026-03-16T00:00:00Z', 'UTC', '2026-03-16T00:00:00.000Z', '2026-03-23T00:00:00.000Z'],
    // The week across a year end; the last quarter and month of a January.
    [TimeFrame.THIS_WEEK, '2027-01-01T12:00:00Z', 'UTC', '2026-12-28T00:00:00.000Z', '2027-01-04T00:00:00.000Z'],
    [TimeFrame.LAST_QUARTER, '2027-01-20T12:00:00Z', 'UTC', '2026-10-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    [TimeFrame.LAST_MONTH, '2027-01-20T12:00:00Z', 'UTC', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    // 02:00 UTC is still the previous day in New York, already the next in Tokyo.
    [
      TimeFrame.TODAY,
      '2026-06-10T02:00:00Z',
      'America/New_York',
      '2026-06-09T04:00:00.000Z',
      '2026-06-10T04:00:00.000Z',
    ],
    [TimeFrame.TODAY, '2026-06-10T20:00:00Z', 'Asia/Tokyo', '2026-06-10T15:00:00.000Z', '2026-06-11T15:00:00.000Z'],
    [
      TimeFrame.THIS_YEAR,
      '2026-12-31T23:30:00Z',
      'Asia/Kolkata',
      '2026-12-31T18:30:00.000Z',
      '2027-12-31T18:30:00.000Z',
    ],
  ])('%s at %s in %s is [%s, %s)', (frame, now, zone, from, to) => {
    expect(range(frame, now, zone)).toEqual([from, to]);
  });

  it.each([
    // Spring forward: 02:00 → 03:00 in New York on 2026-03-08, 02:00 → 03:00 in Berlin on 2026-03-29.
    ['America/New_York', '2026-03-08T17:00:00Z', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', 23],
    ['Europe/Berlin', '2026-03-29T12:00:00Z', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 23],
    // Fall back: 02:00 → 01:00 in New York on 2026-11-01, 03:00 → 02:00 in Berlin on 2026-10-25.
    ['America/New_York', '2026-11-01T17:00:00Z', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', 25],
    ['Europe/Berlin', '2026-10-25T12:00:00Z', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', 25],
    // Santiago changes at midnight: on 2026-09-06 the day starts at 01:00; 2026-04-04 ends at the second 24:00.
    ['America/Santiago', '2026-09-06T12:00:00Z', '2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z', 23],
    ['America/Santiago', '2026-04-04T12:00:00Z', '2026-04-04T03:00:00.000Z', '2026-04-05T04:00:00.000Z', 25],
  ])('a DST change day in %s (at %s) is [%s, %s): %d hours', (zone, now, from, to, hours) => {
    const [f, t] = range(TimeFrame.TODAY, now, zone);
    expect([f, t]).toEqual([from, to]);
    expect((Date.parse(t) - Date.parse(f)) / H).toBe(hours);
  });

  it('a week or month across a DST change is an hour shorter or longer', () => {
    const [weekFrom, weekTo] = range(TimeFrame.THIS_WEEK, '2026-03-27T12:00:00Z', 'Europe/Berlin');
    expect([weekFrom, weekTo]).toEqual(['2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    expect((Date.parse(weekTo) - Date.parse(weekFrom)) / H).toBe(7 * 24 - 1);
    const [monthFrom, monthTo] = range(TimeFrame.THIS_MONTH, '2026-11-15T12:00:00Z', 'America/New_York');
    expect([monthFrom, monthTo]).toEqual(['2026-11-01T04:00:00.000Z', '2026-12-01T05:00:00.000Z']);
    expect((Date.parse(monthTo) - Date.parse(monthFrom)) / H).toBe(30 * 24 + 1);
    // Yesterday, seen from the day after the change.
    expect(range(TimeFrame.YESTERDAY, '2026-10-26T08:00:00Z', 'Europe/Berlin')).toEqual([
      '2026-10-24T22:00:00.000Z',
      '2026-10-25T23:00:00.000Z',
    ]);
  });

  it('every day of a year in several zones starts where the previous one ends and is 23 to 25 hours', () => {
    for (const zone of ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'America/Santiago']) {
      let previous = startOfDay({ year: 2026, month: 1, day: 1 }, zone);
      for (let day = 2; day <= 366; day += 1) {
        const start = startOfDay({ year: 2026, month: 1, day }, zone);
        const hours = (start - previous) / H;
        expect({ zone, day, ok: hours >= 23 && hours <= 25 }).toEqual({ zone, day, ok: true });
        // The instant before a day's start is still the previous day there.
        const [before] = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(start - 1).split(',');
        const [at] = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(start).split(',');
        expect(before < at).toBe(true);
        previous = start;
      }
    }
  });

  it('tells which definitions use a time frame', () => {
    expect(usesTimeFrame({ filters: [{ dateOfActivity: { kind: 'inTimeFrame', frame: 'TODAY' } }] })).toBe(true);
    expect(usesTimeFrame({ filters: [{ dateOfActivity: { kind: 'after', at: 1 } }] })).toBe(false);
  });
});

describe('time zone names', () => {
  it.each([
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Europe/Berlin', 'Europe/Berlin'],
    ['europe/berlin', 'Europe/Berlin'],
    ['Etc/GMT+5', 'Etc/GMT+5'],
  ])('%s is %s', (name, canonical) => {
    expect(canonicalTimeZone(name)).toBe(canonical);
  });

  it('accepts three-part names (stored as ICU resolves them, which may be the older alias)', () => {
    expect(canonicalTimeZone('America/Argentina/Buenos_Aires')).toMatch(/^America\/(Argentina\/)?Buenos_Aires$/);
  });

  it.each(['', 'Mars/Olympus', '+02:00', 'UTC+2', '../etc/passwd', 'Europe/Berlin ', 'x'.repeat(65)])(
    '%j is refused',
    (name) => {
      expect(canonicalTimeZone(name)).toBeNull();
    },
  );
});
