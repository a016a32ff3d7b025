import { ChatActivityType, ConversationStatus, MeetingStatus } from '../../src/activity/activity.entity';
import { subtractDuration } from '../../src/smart-list/duration';
import { constraintsMatch, type MatchContext } from '../../src/smart-list/filter.match';
import { TimeUnit } from '../../src/smart-list/filter.model';
import { parseConstraints, parseFilterSet } from '../../src/smart-list/filter.parser';
import { compileFilterSet } from '../../src/smart-list/filter.sql';

const utc = (s: string) => Date.parse(s);
const iso = (ms: number) => new Date(ms).toISOString();

describe('calendar months', () => {
  it.each([
    ['2026-03-31T10:00:00Z', 1, '2026-02-28T10:00:00.000Z'],
    ['2024-03-31T10:00:00Z', 1, '2024-02-29T10:00:00.000Z'],
    ['2026-05-31T00:00:00Z', 1, '2026-04-30T00:00:00.000Z'],
    ['2026-01-15T08:30:00Z', 1, '2025-12-15T08:30:00.000Z'],
    ['2026-03-31T23:59:59Z', 13, '2025-02-28T23:59:59.000Z'],
    ['2026-07-31T00:00:00Z', 5, '2026-02-28T00:00:00.000Z'],
  ])('%s minus %d months is %s', (at, months, expected) => {
    expect(iso(subtractDuration(utc(at), { amount: months, unit: TimeUnit.MONTHS }))).toBe(expected);
  });

  it('fixed units subtract exact milliseconds', () => {
    const at = utc('2026-03-10T00:00:00Z');
    expect(iso(subtractDuration(at, { amount: 2, unit: TimeUnit.WEEKS }))).toBe('2026-02-24T00:00:00.000Z');
    expect(iso(subtractDuration(at, { amount: 90, unit: TimeUnit.MINUTES }))).toBe('2026-03-09T22:30:00.000Z');
  });
});

describe('filter compilation', () => {
  const compile = (input: Record<string, unknown>) =>
    compileFilterSet(parseFilterSet(input, ['input']), { now: utc('2026-03-31T12:00:00Z'), personId: 'p.id' });

  it('binds every value as a parameter and escapes LIKE wildcards', () => {
    const sql = compile({
      filters: [
        {
          activity: 'TRIGGERED',
          constraints: { pageUrl: { contains: ["100%_off'; DROP TABLE person; --"] }, chat: { is: ['Welcome'] } },
        },
      ],
    });
    expect(sql.text).not.toContain('DROP');
    expect(sql.text).not.toContain('Welcome');
    expect(sql.params).toContain("%100!%!_off'; drop table person; --%");
    expect(sql.params).toContain('welcome');
    expect(sql.text.split('?').length - 1).toBe(sql.params.length);
  });

  it('uses EXISTS for once, COUNT for more, and negates each', () => {
    expect(compile({ filters: [{ activity: 'ENGAGED' }] }).text).toMatch(
      /^EXISTS \(SELECT 1 FROM activity a WHERE a\.person_id = p\.id AND a\.type = \?\)$/,
    );
    expect(compile({ filters: [{ activity: 'ENGAGED', negated: true }] }).text).toMatch(/^NOT EXISTS/);
    const counted = compile({ filters: [{ activity: 'ENGAGED', minNumberOfTimes: 3, negated: true }] });
    expect(counted.text).toMatch(/^\(SELECT COUNT\(\*\) FROM activity a WHERE .*\) < \?$/);
    expect(counted.params).toEqual(['ENGAGED', 3]);
  });

  it('computes relative dates in Node with calendar months', () => {
    const sql = compile({
      filters: [{ activity: 'GOAL_ACHIEVED', dateOfActivity: { inPast: { amount: 1, unit: 'MONTHS' } } }],
    });
    expect(sql.params).toEqual(['GOAL_ACHIEVED', utc('2026-02-28T12:00:00Z')]);
  });

  it('compiles an AND of filters to one probe per filter, in the order written', () => {
    const sql = compile({
      logic: 'ALL',
      filters: [{ activity: 'GOAL_ACHIEVED' }, { activity: 'ENGAGED', negated: true }],
    });
    expect(sql.text).toMatch(/^\(EXISTS \(.*\) AND NOT EXISTS \(.*\)\)$/);
    expect(sql.params).toEqual(['GOAL_ACHIEVED', 'ENGAGED']);
  });

  it('compiles OR and NOT to one probe per person that counts each mentioned filter, and leaves the others out', () => {
    const sql = compile({
      logic: 'ADVANCED',
      advancedLogic: '1 or not (3 and 1)',
      filters: [
        { activity: 'ENGAGED', minNumberOfTimes: 2 },
        { activity: 'TRIGGERED' },
        { activity: 'GOAL_ACHIEVED', negated: true },
      ],
    });
    expect(sql.text.match(/SELECT/g)).toHaveLength(1);
    expect(sql.text).toMatch(
      /^\(SELECT CASE WHEN .* FROM activity a WHERE a\.person_id = p\.id AND a\.type IN \(\?, \?\)\) = 1$/,
    );
    // Counts per mention (filter 1 twice), then the types of the filters mentioned.
    expect(sql.params).toEqual(['ENGAGED', 2, 'GOAL_ACHIEVED', 1, 'ENGAGED', 2, 'ENGAGED', 'GOAL_ACHIEVED']);
    expect(sql.text).toContain('(NOT (COALESCE(SUM(CASE WHEN a.type = ? THEN 1 END), 0) < ? AND ');
    expect(sql.text.split('?').length - 1).toBe(sql.params.length);
  });

  it('counts for ANY and leaves activities a campaign excludes out of every count', () => {
    const sql = compileFilterSet(
      parseFilterSet(
        {
          logic: 'ANY',
          filters: [{ activity: 'ENGAGED' }, { activity: 'ENGAGED', constraints: { chat: { is: ['x'] } } }],
        },
        ['input'],
      ),
      {
        now: 0,
        personId: 'p.id',
        excludeActivityIds: ['a1', 'a2'],
      },
    );
    expect(sql.text).toMatch(/a\.type IN \(\?\) AND a\.id NOT IN \(\?, \?\)\) = 1$/);
    expect(sql.params.slice(-3)).toEqual(['ENGAGED', 'a1', 'a2']);
  });
});

describe('advancedLogic size', () => {
  const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
  const big = { activity: 'TRIGGERED', constraints: { chat: { is: values(100) }, pageUrl: { contains: values(100) } } };
  const parse = (advancedLogic: string, filters: unknown[]) => () =>
    parseFilterSet({ logic: 'ADVANCED', advancedLogic, filters }, ['input']);

  it('refuses an expression that mentions filters more than 50 times', () => {
    expect(parse(Array(51).fill('1').join(' or '), [{ activity: 'ENGAGED' }])).toThrow(/51 mentions/);
    expect(parse(Array(50).fill('1').join(' or '), [{ activity: 'ENGAGED' }])).not.toThrow();
  });

  it('refuses an expression that would compile to more values than the largest ALL definition', () => {
    // 300 values (+4) mentioned 50 times: 15 200 parameters, refused; 200 values (+4) mentioned 40 times: 8 160, fine.
    const huge = {
      activity: 'MEETING_SCHEDULED',
      constraints: Object.fromEntries(['chat', 'agent', 'pageUrl'].map((k) => [k, { is: values(100) }])),
    };
    expect(parse(Array(50).fill('1').join(' or '), [huge])).toThrow(/at most 50 and 13000/);
    expect(parse(Array(40).fill('1').join(' and '), [big])).not.toThrow();
  });
});

describe('constraint parsing and in-memory matching', () => {
  const activity = {
    chatKind: 'DIALOGUE' as any,
    chatId: 'Welcome-Bot',
    agentId: null,
    documentId: null,
    goal: null,
    pageUrl: 'https://example.com/Pricing?x=1',
    meetingStatus: null as MeetingStatus | null,
    meetingId: null,
    linkUrl: null,
    linkText: null,
    conversationStatus: null,
  };
  // The chat's current name differs from the one the activity was recorded with.
  const context: MatchContext = {
    currentName: (name) => (name === 'chatName' ? 'Welcome Bot (renamed)' : null),
    meetingCurrentStatus: () => null,
  };
  const match = (constraints: Record<string, unknown>, type = ChatActivityType.TRIGGERED) =>
    constraintsMatch(activity, parseConstraints(constraints, ['c'], type), context);

  it.each([
    [{}, true],
    [{ chatKind: 'DIALOGUE' }, true],
    [{ chatKind: 'CONVERSATIONAL_FLOW' }, false],
    [{ chat: { is: ['welcome-bot'] } }, true],
    [{ chat: { isNot: ['WELCOME-BOT'] } }, false],
    [{ chat: { isNot: ['other'] } }, true],
    [{ pageUrl: { contains: ['/pricing'] } }, true],
    [{ pageUrl: { startsWith: ['https://example.com/p'] } }, true],
    [{ pageUrl: { startsWith: ['example.com'] } }, false],
    [{ chat: { is: ['welcome-bot'] }, chatKind: 'CONVERSATIONAL_FLOW' }, false],
    [{ pageUrl: { notContains: ['/PRICING'] } }, false],
    [{ pageUrl: { notContains: ['/about', 'nothing'] } }, true],
    [{ pageUrl: { notStartsWith: ['HTTPS://example'] } }, false],
    [{ pageUrl: { notStartsWith: ['http://'] } }, true],
    [{ pageUrl: { isEmpty: false } }, true],
    [{ pageUrl: { isEmpty: true } }, false],
    [{ chatName: { contains: ['renamed'] } }, true],
    [{ chatName: { is: ['welcome-bot'] } }, false],
    [{ chatName: { isEmpty: true } }, false],
  ])('%j → %s', (constraints, expected) => {
    expect(match(constraints)).toBe(expected);
  });

  it('isNot does not hold for a missing value', () => {
    expect(
      constraintsMatch(
        { ...activity, pageUrl: null },
        parseConstraints({ pageUrl: { isNot: ['x'] } }, [], null),
        context,
      ),
    ).toBe(false);
  });

  it.each([
    [null, { isEmpty: true }, true],
    ['', { isEmpty: true }, true],
    [null, { isEmpty: false }, false],
    [null, { notContains: ['x'] }, false],
    ['', { notContains: ['x'] }, false],
    [null, { notStartsWith: ['x'] }, false],
    ['', { isNot: ['x'] }, false],
  ])('a missing or empty value %j: %j → %s', (pageUrl, textMatch, expected) => {
    const constraints = parseConstraints({ pageUrl: textMatch }, [], null);
    expect(constraintsMatch({ ...activity, pageUrl }, constraints, context)).toBe(expected);
  });

  it('matches the current booking status and the conversation status from the context and the row', () => {
    const meeting = { ...activity, meetingStatus: MeetingStatus.SCHEDULED, meetingId: 'b-1' };
    const cancelled: MatchContext = { ...context, meetingCurrentStatus: () => MeetingStatus.CANCELLED };
    const on = parseConstraints(
      { meetingCurrentStatus: ['SCHEDULED', 'RESCHEDULED'] },
      [],
      ChatActivityType.MEETING_SCHEDULED,
    );
    expect(constraintsMatch(meeting, on, cancelled)).toBe(false);
    expect(constraintsMatch(meeting, on, { ...context, meetingCurrentStatus: () => MeetingStatus.RESCHEDULED })).toBe(
      true,
    );
    // Without a context (deciding locks before the write) it is an upper bound: it may hold.
    expect(constraintsMatch(meeting, on, null)).toBe(true);
    const completed = parseConstraints({ conversationStatus: ['COMPLETED'] }, [], ChatActivityType.ENGAGED);
    expect(constraintsMatch({ ...activity, conversationStatus: ConversationStatus.COMPLETED }, completed, null)).toBe(
      true,
    );
    expect(constraintsMatch({ ...activity, conversationStatus: ConversationStatus.DROPPED }, completed, null)).toBe(
      false,
    );
  });

  it('refuses two operators, a non-boolean isEmpty and constraints of other types', () => {
    expect(() => parseConstraints({ goal: { isEmpty: true, is: ['x'] } }, ['c'], null)).toThrow(/exactly one of/);
    expect(() => parseConstraints({ goal: { isEmpty: 'yes' } }, ['c'], null)).toThrow(/must be a boolean/);
    expect(() => parseConstraints({ link: { is: ['x'] } }, ['c'], ChatActivityType.ENGAGED)).toThrow(
      /link does not apply to ENGAGED/,
    );
    expect(() => parseConstraints({ conversationStatus: ['DONE'] }, ['c'], ChatActivityType.ENGAGED)).toThrow(
      /conversationStatus must be one of/,
    );
    expect(() =>
      parseConstraints({ meetingCurrentStatus: ['CANCELLED'] }, ['c'], ChatActivityType.GOAL_ACHIEVED),
    ).toThrow(/meetingCurrentStatus does not apply/);
  });

  it.each([
    [{ agent: { is: ['a'] } }, ChatActivityType.ENGAGED, ['c', 'agent'], /agent does not apply to ENGAGED/],
    [
      { document: { is: ['d'] } },
      ChatActivityType.GOAL_ACHIEVED,
      ['c', 'document'],
      /only to INTERACTED_WITH_DOCUMENT/,
    ],
    [{ goal: { is: ['g'] } }, ChatActivityType.TRIGGERED, ['c', 'goal'], /goal does not apply/],
    [
      { meetingStatus: ['SCHEDULED'] },
      ChatActivityType.ENGAGED_WITH_AGENT,
      ['c', 'meetingStatus'],
      /meetingStatus does not apply/,
    ],
    [
      { chat: { is: ['a'], contains: ['b'] } },
      ChatActivityType.TRIGGERED,
      ['c', 'chat'],
      /exactly one of is, isNot, contains, startsWith, notContains, notStartsWith, isEmpty \(found 2\)/,
    ],
    [{ chat: {} }, ChatActivityType.TRIGGERED, ['c', 'chat'], /found 0/],
    [{ chat: { is: [] } }, ChatActivityType.TRIGGERED, ['c', 'chat', 'is'], /at least one value/],
    [{ chat: { is: ['ok', ''] } }, ChatActivityType.TRIGGERED, ['c', 'chat', 'is', '1'], /non-empty/],
    [
      { pageUrl: { contains: ['x'.repeat(2049)] } },
      ChatActivityType.TRIGGERED,
      ['c', 'pageUrl', 'contains', '0'],
      /at most 2048/,
    ],
    [{ meetingStatus: [] }, ChatActivityType.MEETING_SCHEDULED, ['c', 'meetingStatus'], /at least one status/],
  ])('rejects %j on %s at %j', (constraints, type, field, message) => {
    let error: any;
    try {
      parseConstraints(constraints, ['c'], type);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message).toMatch(message);
  });
});

describe('person and membership filters in SQL', () => {
  const NOW = utc('2026-03-31T12:00:00Z');
  const set = (input: Record<string, unknown>) => parseFilterSet(input, ['input']);

  it('puts person-row conditions first in an ALL, nested lists last, and binds every value', () => {
    const nested = set({ filters: [{ activity: 'ENGAGED' }, { person: { company: "O'Brien & Co" } }] });
    const outer = set({
      filters: [
        { memberOfSmartList: { smartListId: 'list-b' } },
        { activity: 'GOAL_ACHIEVED' },
        { person: { emailDomain: 'Acme.io', score: { atLeast: 5 } } },
      ],
    });
    const sql = compileFilterSet(outer, { now: NOW, personId: 'p.id', lists: new Map([['list-b', nested]]) });
    expect(sql.text.split('?').length - 1).toBe(sql.params.length);
    expect(sql.text).not.toContain('Brien');
    expect(sql.text.indexOf('p.email_normalized')).toBeLessThan(sql.text.indexOf('FROM activity'));
    expect(sql.text.lastIndexOf('p.company')).toBeGreaterThan(sql.text.indexOf('FROM activity'));
    expect(sql.params.slice(0, 2)).toEqual(['%@acme.io', 5]);
    expect(sql.params).toContain("o'brien & co");
    // The nested list reads the same person row: no second scan of person.
    expect(sql.text).not.toMatch(/FROM person/);
  });

  it('a list missing from the definitions has no members (negated: everyone)', () => {
    const member = set({ filters: [{ memberOfSmartList: { smartListId: 'gone' } }] });
    const notMember = set({ filters: [{ memberOfSmartList: { smartListId: 'gone', negated: true } }] });
    expect(compileFilterSet(member, { now: NOW, personId: 'p.id', lists: new Map() }).text).toBe('1 = 0');
    expect(compileFilterSet(notMember, { now: NOW, personId: 'p.id', lists: new Map() }).text).toBe('1 = 1');
  });

  it('reads the person row by id when the person is not a `<alias>.id` expression', () => {
    const sql = compileFilterSet(set({ filters: [{ person: { known: true } }] }), { now: NOW, personId: '?' });
    expect(sql.text).toBe('EXISTS (SELECT 1 FROM person pf WHERE pf.id = ? AND pf.email IS NOT NULL)');
  });

  it('wasInCampaign probes the runs of one campaign on their time', () => {
    const sql = compileFilterSet(
      set({
        filters: [
          { wasInCampaign: { campaignId: 'c-1', negated: true, dateOfActivity: { before: '2026-03-01T00:00:00Z' } } },
        ],
      }),
      { now: NOW, personId: 'p.id' },
    );
    expect(sql.text).toBe(
      'NOT EXISTS (SELECT 1 FROM campaign_run r WHERE r.person_id = p.id AND r.campaign_id = ? AND r.triggered_at < ?)',
    );
    expect(sql.params).toEqual(['c-1', utc('2026-03-01T00:00:00Z')]);
  });
});
