import { canonical } from '../../src/activity/activity.rules';

// The form request hashes were first stored with: canonical() must keep producing exactly this text, or a retry
// of an earlier call would no longer match its stored hash and be answered CONFLICT.
function reference(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

class Input {
  constructor(readonly fields: Record<string, unknown>) {
    Object.assign(this, fields);
  }
}

describe('canonical JSON of an activity input', () => {
  const samples: unknown[] = [
    {
      type: 'GOAL_ACHIEVED',
      visitorId: 'v1',
      sessionId: 's1',
      chat: { kind: 'DIALOGUE', id: 'c', name: 'Pricing' },
      goal: 'demo',
    },
    { z: 1, a: [3, { y: null, b: 'x', a: undefined }], m: new Date('2026-11-25T14:00:00.123Z'), e: '', f: false, n: 0 },
    { é: 1, e: 2, E: 3, '10': 4, '9': 5, 'a"b': 6, 'line\nbreak': 'tab\there', emoji: '😀', lone: '\ud800' },
    {
      meeting: { startsAt: new Date(0), durationMinutes: 30, agent: { id: 'a', name: 'Ann' }, status: 'SCHEDULED' },
      person: null,
    },
    [],
    [1, undefined, null, [undefined]],
    {},
    'text',
    42,
    null,
    new Input({ visitorId: 'v', sessionId: 's' }),
  ];

  it.each(samples.map((sample) => [sample]))('keeps the stored form for %j', (sample) => {
    expect(canonical(sample)).toBe(reference(sample));
  });

  it('ignores key order and absent members', () => {
    expect(canonical({ b: 1, a: { d: 2, c: 3 }, x: null })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(canonical({ a: { c: 3, d: 2 }, b: 1 })).toBe(canonical({ b: 1, a: { d: 2, c: 3 }, x: undefined }));
  });
});
