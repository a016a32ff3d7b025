import { ChatActivityType } from '../src/activity/activity.entity';
import { newId } from '../src/db/columns';
import { parseFilterSet } from '../src/smart-list/filter.parser';
import type { SmartListEntity } from '../src/smart-list/smart-list.entity';
import { insertActivities, insertPerson, type ActivitySpec } from './helpers/activity-data';
import { startTestServer, type TestServer } from './helpers/server';

/**
 * Property test: random people, activities and campaign runs, and random
 * smart lists (seeded) mixing activity, person, wasInCampaign and
 * memberOfSmartList filters (nested up to 3 lists deep), each
 * evaluated by the SQL path of the real service on the real database and by
 * the plain evaluator below, written for this test from DESIGN.md and
 * sharing no code with src/. The member sets must be equal for every case.
 *
 * The workspace's time zone is America/New_York, and the data spans its DST
 * changes (2025-11-02, 2026-03-08): the evaluator decides inTimeFrame by
 * comparing calendar dates in that zone (Intl), never from instants.
 */

const SEED = Number(process.env.PROPERTY_SEED ?? 20261125);
const CASES = Number(process.env.PROPERTY_CASES ?? 220);
const H = 3_600_000;
// Mar 31: "1 month ago" must clamp to Feb 28.
const NOW = Date.UTC(2026, 2, 31, 12, 0, 0);
const ZONE = 'America/New_York';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = [
  'TRIGGERED',
  'ENGAGED',
  'ENGAGED_WITH_AGENT',
  'INTERACTED_WITH_DOCUMENT',
  'GOAL_ACHIEVED',
  'MEETING_SCHEDULED',
  'LINK_CLICKED',
] as const;
type Type = (typeof TYPES)[number];
const POOLS = {
  chat: ['alpha', 'Beta', 'beta-2', 'gam_ma', '100%', 'Ünïcode'],
  agent: ['a1', 'A2', 'a_3'],
  document: ['d1', 'D_2', 'd3%'],
  goal: ['Signup', 'signup-pro', 'demo'],
  pageUrl: ['https://x.com/a', 'https://x.com/A_b', 'https://x.com/100%', 'http://y.org/'],
  link: ['https://x.com/pricing', 'https://x.com/Docs_1', 'http://y.org/100%'],
  linkText: ['Pricing', 'read the DOCS', '100% off'],
};
// The current names of the catalog's entries; 'gam_ma' and 'a_3' have none (a missing name).
const NAMES: Record<string, Record<string, string>> = {
  chatName: {
    alpha: 'Pricing bot',
    Beta: 'Support',
    'beta-2': 'support (EU)',
    '100%': '100% Sale',
    Ünïcode: 'Ünïcode Chat',
  },
  agentName: { a1: 'Sam Rivera', A2: 'sam_ortiz' },
  documentName: { d1: 'Security whitepaper', D_2: 'Price list', 'd3%': '50% off' },
};
const NAME_OF: Record<string, keyof Row> = { chatName: 'chat', agentName: 'agent', documentName: 'document' };
const CATALOG_TYPE: Record<string, string> = { chatName: 'CHAT', agentName: 'AGENT', documentName: 'DOCUMENT' };
const BOOKINGS = ['b-1', 'b-2', 'b-3', 'b-4'];
const STATUSES = ['SCHEDULED', 'RESCHEDULED', 'CANCELLED'] as const;
const CONVERSATION = ['INITIATED', 'DROPPED', 'COMPLETED'] as const;
const FRAMES = [
  'TODAY',
  'YESTERDAY',
  'THIS_WEEK',
  'LAST_WEEK',
  'THIS_MONTH',
  'LAST_MONTH',
  'THIS_QUARTER',
  'LAST_QUARTER',
  'THIS_YEAR',
  'LAST_YEAR',
] as const;
const APPLIES: Record<string, readonly Type[]> = {
  chat: TYPES,
  pageUrl: TYPES,
  chatName: TYPES,
  agent: ['ENGAGED_WITH_AGENT', 'MEETING_SCHEDULED'],
  agentName: ['ENGAGED_WITH_AGENT', 'MEETING_SCHEDULED'],
  document: ['INTERACTED_WITH_DOCUMENT'],
  documentName: ['INTERACTED_WITH_DOCUMENT'],
  goal: ['GOAL_ACHIEVED'],
  link: ['LINK_CLICKED'],
  linkText: ['LINK_CLICKED'],
};
const TEXT_POOLS: Record<string, readonly string[]> = {
  ...POOLS,
  chatName: Object.values(NAMES.chatName),
  agentName: Object.values(NAMES.agentName),
  documentName: Object.values(NAMES.documentName),
};
// Hours before NOW that sit exactly on the boundaries the random durations produce.
const BOUNDARY_HOURS = [0, 1, 2, 12, 24, 48, 168, 336, 31 * 24, (31 + 28) * 24, (31 + 28 + 31) * 24];

interface Row extends Required<Omit<ActivitySpec, 'type'>> {
  type: Type;
  person: number;
}
interface PersonRow {
  email: string | null;
  company: string | null;
  score: number;
  createdAt: number;
}
interface RunRow {
  person: number;
  campaign: string;
  at: number;
}
const DOMAINS = ['acme.io', 'mail.acme.io', 'ACME.IO', 'beta.com', 'x_y.org', 'xay.org'];
const COMPANIES = [null, 'Acme', 'ACME', 'Acme Inc', 'Ünïcode GmbH', 'ünïcode gmbh', 'a_b%'];
/** A list may be named by another while it is less than 3 deep. */
const MAX_DEPTH = 3;

// ------------------------------------------------------- calendar dates in ZONE

const localDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
/** [year, month 1..12, day] of the instant's calendar date in ZONE. */
const dateOf = (at: number): [number, number, number] =>
  localDate.format(at).split('-').map(Number) as [number, number, number];
/** Day number of a calendar date (days since 1970-01-01, as a plain calendar). */
const dayNumber = ([y, m, d]: [number, number, number]) => Math.round(Date.UTC(y, m - 1, d) / (24 * H));
const mondayOf = (date: [number, number, number]) => {
  const n = dayNumber(date);
  return n - ((n + 3) % 7); // 1970-01-01 was a Thursday.
};
const monthIndex = ([y, m]: [number, number, number]) => y * 12 + (m - 1);

function inFrame(at: number, frame: string): boolean {
  const row = dateOf(at);
  const now = dateOf(NOW);
  switch (frame) {
    case 'TODAY':
      return dayNumber(row) === dayNumber(now);
    case 'YESTERDAY':
      return dayNumber(row) === dayNumber(now) - 1;
    case 'THIS_WEEK':
      return mondayOf(row) === mondayOf(now);
    case 'LAST_WEEK':
      return mondayOf(row) === mondayOf(now) - 7;
    case 'THIS_MONTH':
      return monthIndex(row) === monthIndex(now);
    case 'LAST_MONTH':
      return monthIndex(row) === monthIndex(now) - 1;
    case 'THIS_QUARTER':
      return Math.floor(monthIndex(row) / 3) === Math.floor(monthIndex(now) / 3);
    case 'LAST_QUARTER':
      return Math.floor(monthIndex(row) / 3) === Math.floor(monthIndex(now) / 3) - 1;
    case 'THIS_YEAR':
      return row[0] === now[0];
    default:
      return row[0] === now[0] - 1;
  }
}

// ------------------------------------------------------- the test's evaluator

function monthsBefore(at: number, months: number): number {
  const d = new Date(at);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() - months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const daysInMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(
    year,
    month,
    Math.min(d.getUTCDate(), daysInMonth),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

function durationBefore(at: number, d: { amount: number; unit: string }): number {
  const unitMs: Record<string, number> = { MINUTES: 60_000, HOURS: H, DAYS: 24 * H, WEEKS: 7 * 24 * H };
  return d.unit === 'MONTHS' ? monthsBefore(at, d.amount) : at - d.amount * unitMs[d.unit];
}

function textHolds(value: string | null, match: Record<string, string[] | boolean>): boolean {
  const [[op, operand]] = Object.entries(match);
  const missing = value === null || value === '';
  if (op === 'isEmpty') return operand === missing;
  if (missing) return false;
  const v = value.toLowerCase();
  const ws = (operand as string[]).map((w) => w.toLowerCase());
  if (op === 'is') return ws.includes(v);
  if (op === 'isNot') return !ws.includes(v);
  if (op === 'contains') return ws.some((w) => v.includes(w));
  if (op === 'notContains') return !ws.some((w) => v.includes(w));
  if (op === 'startsWith') return ws.some((w) => v.startsWith(w));
  return !ws.some((w) => v.startsWith(w));
}

function dateHolds(at: number, date: any): boolean {
  if (date?.inPast && !(at >= durationBefore(NOW, date.inPast))) return false;
  if (date?.inPastBefore && !(at < durationBefore(NOW, date.inPastBefore))) return false;
  if (date?.before && !(at < Date.parse(date.before))) return false;
  if (date?.after && !(at >= Date.parse(date.after))) return false;
  if (date?.betweenFrom && !(at >= Date.parse(date.betweenFrom) && at < Date.parse(date.betweenTo))) return false;
  if (date?.onOrBefore && !(at <= Date.parse(date.onOrBefore))) return false;
  if (date?.onOrAfter && !(at >= Date.parse(date.onOrAfter))) return false;
  if (date?.inTimeFrame && !inFrame(at, date.inTimeFrame)) return false;
  return true;
}

function personHolds(person: PersonRow, f: any): boolean {
  if (f.known !== undefined && (person.email !== null) !== f.known) return false;
  if (f.emailDomain !== undefined) {
    if (person.email === null) return false;
    const domain = person.email.slice(person.email.lastIndexOf('@') + 1).toLowerCase();
    if (domain !== f.emailDomain.toLowerCase()) return false;
  }
  if (f.company !== undefined && person.company?.toLowerCase() !== f.company.toLowerCase()) return false;
  if (f.score?.atLeast !== undefined && person.score < f.score.atLeast) return false;
  if (f.score?.atMost !== undefined && person.score > f.score.atMost) return false;
  return f.createdAt === undefined || dateHolds(person.createdAt, f.createdAt);
}

/** A booking's status now: its latest row in the workspace by (at, id); a meeting without a booking id is its own. */
function bookingStatus(row: Row, rows: readonly Row[]): string | null {
  if (row.meetingId === null) return row.meetingStatus;
  let latest = row;
  for (const other of rows) {
    if (other.meetingId !== row.meetingId) continue;
    if (other.at > latest.at || (other.at === latest.at && other.id > latest.id)) latest = other;
  }
  return latest.meetingStatus;
}

function activityHolds(row: Row, filter: any, rows: readonly Row[]): boolean {
  if (row.type !== filter.activity) return false;
  const c = filter.constraints ?? {};
  if (c.chatKind && row.chatKind !== c.chatKind) return false;
  const nameOf = (constraint: string) => {
    const id = row[NAME_OF[constraint]] as string | null;
    return id === null ? null : (NAMES[constraint][id] ?? null);
  };
  const values: Record<string, string | null> = {
    chat: row.chat,
    agent: row.agent,
    document: row.document,
    goal: row.goal,
    pageUrl: row.pageUrl,
    link: row.linkUrl,
    linkText: row.linkText,
    chatName: nameOf('chatName'),
    agentName: nameOf('agentName'),
    documentName: nameOf('documentName'),
  };
  for (const key of Object.keys(values)) if (c[key] && !textHolds(values[key], c[key])) return false;
  if (c.meetingStatus && !c.meetingStatus.includes(row.meetingStatus)) return false;
  if (c.meetingCurrentStatus && !c.meetingCurrentStatus.includes(bookingStatus(row, rows))) return false;
  if (c.conversationStatus && !c.conversationStatus.includes(row.conversationStatus)) return false;
  return dateHolds(row.at, filter.dateOfActivity);
}

type Expr = number | { not: Expr } | { and: Expr[] } | { or: Expr[] };

function evaluate(expr: Expr, holds: (n: number) => boolean): boolean {
  if (typeof expr === 'number') return holds(expr);
  if ('not' in expr) return !evaluate(expr.not, holds);
  if ('and' in expr) return expr.and.every((e) => evaluate(e, holds));
  return expr.or.some((e) => evaluate(e, holds));
}

function render(expr: Expr, random: () => number): string {
  const kw = (word: string) => (random() < 0.2 ? word.toUpperCase() : word);
  if (typeof expr === 'number') return String(expr);
  if ('not' in expr)
    return `${kw('not')} ${typeof expr.not === 'number' ? render(expr.not, random) : `(${render(expr.not, random)})`}`;
  const [op, items] = 'and' in expr ? ['and', expr.and] : ['or', expr.or];
  return items
    .map((item) => (typeof item === 'number' || 'not' in item ? render(item, random) : `(${render(item, random)})`))
    .join(` ${kw(op)} `);
}

interface World {
  people: PersonRow[];
  rows: Row[];
  runs: RunRow[];
  /** Members of the lists made so far, by list id, as this evaluator found them. */
  members: Map<string, number[]>;
}

function members(world: World, list: { filters: any[]; expr: Expr }): number[] {
  const out: number[] = [];
  for (let p = 0; p < world.people.length; p++) {
    const mine = world.rows.filter((r) => r.person === p);
    const holds = (n: number) => {
      const f = list.filters[n - 1];
      if (f.person) return personHolds(world.people[p], f.person);
      if (f.wasInCampaign) {
        const { campaignId, dateOfActivity, negated } = f.wasInCampaign;
        const ran = world.runs.some(
          (r) => r.person === p && r.campaign === campaignId && dateHolds(r.at, dateOfActivity),
        );
        return negated ? !ran : ran;
      }
      if (f.memberOfSmartList) {
        const member = world.members.get(f.memberOfSmartList.smartListId)!.includes(p);
        return f.memberOfSmartList.negated ? !member : member;
      }
      const count = mine.filter((r) => activityHolds(r, f, world.rows)).length;
      const has = count >= (f.minNumberOfTimes ?? 1);
      return f.negated ? !has : has;
    };
    if (evaluate(list.expr, holds)) out.push(p);
  }
  return out;
}

// ------------------------------------------------------------- generators

function generator(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const hoursAgo = () => (random() < 0.3 ? pick(BOUNDARY_HOURS) : int(0, 24 * 120));
  const instant = () => new Date(NOW - hoursAgo() * H).toISOString();
  const mangleCase = (s: string) => (random() < 0.3 ? s.toUpperCase() : s);

  const row = (person: number): Row => {
    const type = pick(TYPES);
    return {
      id: newId(),
      type,
      person,
      // Now and then a millisecond before an hour: just before a local midnight, a frame's last instant.
      at: NOW - hoursAgo() * H - (random() < 0.1 ? 1 : 0),
      chatKind: pick(['DIALOGUE', 'CONVERSATIONAL_FLOW'] as const),
      chat: pick(POOLS.chat),
      pageUrl: random() < 0.25 ? null : pick(POOLS.pageUrl),
      agent: APPLIES.agent.includes(type) ? pick(POOLS.agent) : null,
      document: type === 'INTERACTED_WITH_DOCUMENT' ? pick(POOLS.document) : null,
      goal: type === 'GOAL_ACHIEVED' ? pick(POOLS.goal) : null,
      meetingStatus: type === 'MEETING_SCHEDULED' ? pick(STATUSES) : null,
      meetingId: type === 'MEETING_SCHEDULED' && random() < 0.7 ? pick(BOOKINGS) : null,
      linkUrl: type === 'LINK_CLICKED' ? pick(POOLS.link) : null,
      linkText: type === 'LINK_CLICKED' && random() < 0.75 ? pick(POOLS.linkText) : null,
      conversationStatus: type === 'ENGAGED' ? pick(CONVERSATION) : null,
    };
  };

  const textMatch = (pool: readonly string[]) => {
    const op = pick(['is', 'isNot', 'contains', 'startsWith', 'notContains', 'notStartsWith', 'isEmpty'] as const);
    if (op === 'isEmpty') return { isEmpty: random() < 0.5 };
    const value = () => {
      const whole = pick(pool);
      if (op === 'contains' || op === 'notContains')
        return random() < 0.3
          ? pick(['%', '_', '!', 'a'])
          : mangleCase(whole.slice(int(0, whole.length - 1), whole.length));
      if (op === 'startsWith' || op === 'notStartsWith') return mangleCase(whole.slice(0, int(1, whole.length)));
      return mangleCase(random() < 0.1 ? 'nothing-like-it' : whole);
    };
    return { [op]: Array.from({ length: int(1, 2) }, value) };
  };

  const dateOfActivity = (): Record<string, unknown> => {
    const unit = pick(['MINUTES', 'HOURS', 'DAYS', 'WEEKS', 'MONTHS']);
    const amount = {
      MINUTES: int(1, 10) * 60,
      HOURS: int(1, 72),
      DAYS: int(1, 60),
      WEEKS: int(1, 10),
      MONTHS: int(1, 4),
    }[unit]!;
    const form = pick([
      'inPast',
      'inPastBefore',
      'before',
      'after',
      'between',
      'onOrBefore',
      'onOrAfter',
      'inTimeFrame',
      'inTimeFrame',
    ]);
    if (form === 'inPast' || form === 'inPastBefore') return { [form]: { amount, unit } };
    if (form === 'inTimeFrame') return { inTimeFrame: pick(FRAMES) };
    if (form === 'between') {
      const [a, b] = [instant(), instant()].sort();
      return a === b ? { after: a } : { betweenFrom: a, betweenTo: b };
    }
    return { [form]: instant() };
  };

  const personRow = (p: number): PersonRow => ({
    email: p % 5 === 0 ? null : mangleCase(`p${p}@${pick(DOMAINS)}`),
    company: pick(COMPANIES),
    score: int(-5, 20),
    createdAt: NOW - hoursAgo() * H,
  });

  const personFilter = () => {
    const person: Record<string, unknown> = {};
    if (random() < 0.3) person.known = random() < 0.5;
    if (random() < 0.35) person.emailDomain = mangleCase(pick([...DOMAINS, 'acme', 'io', 'x%y.org']));
    if (random() < 0.3) person.company = mangleCase(pick(['acme', 'Acme Inc', 'ünïcode GMBH', 'a_b%', 'a%', 'none']));
    if (random() < 0.35) {
      const [a, b] = [int(-5, 20), int(-5, 20)].sort((x, y) => x - y);
      person.score = pick([{ atLeast: a }, { atMost: b }, { atLeast: a, atMost: b }]);
    }
    if (random() < 0.3) person.createdAt = dateOfActivity();
    if (Object.keys(person).length === 0) person.known = true;
    return { person };
  };

  const filter = (refs: Refs): Record<string, unknown> => {
    const kind = random();
    if (kind < 0.2) return personFilter();
    if (kind < 0.3 && refs.campaigns.length > 0) {
      return {
        wasInCampaign: {
          campaignId: pick(refs.campaigns),
          negated: random() < 0.3,
          ...(random() < 0.5 ? { dateOfActivity: dateOfActivity() } : {}),
        },
      };
    }
    const nestable = refs.lists.filter((l) => l.depth < MAX_DEPTH);
    if (kind < 0.42 && nestable.length > 0)
      return { memberOfSmartList: { smartListId: pick(nestable).id, negated: random() < 0.3 } };
    const activity = pick(TYPES);
    const constraints: Record<string, unknown> = {};
    if (random() < 0.2) constraints.chatKind = pick(['DIALOGUE', 'CONVERSATIONAL_FLOW']);
    for (const key of Object.keys(TEXT_POOLS)) {
      if (APPLIES[key].includes(activity) && random() < 0.25) constraints[key] = textMatch(TEXT_POOLS[key]);
    }
    if (activity === 'MEETING_SCHEDULED' && random() < 0.4)
      constraints.meetingStatus = [...new Set([pick(STATUSES), pick(STATUSES)])];
    if (activity === 'MEETING_SCHEDULED' && random() < 0.4)
      constraints.meetingCurrentStatus = [...new Set([pick(STATUSES), pick(STATUSES)])];
    if (activity === 'ENGAGED' && random() < 0.4)
      constraints.conversationStatus = [...new Set([pick(CONVERSATION), pick(CONVERSATION)])];
    return {
      activity,
      negated: random() < 0.25,
      minNumberOfTimes: random() < 0.6 ? 1 : int(2, 4),
      ...(Object.keys(constraints).length || random() < 0.5 ? { constraints } : {}),
      ...(random() < 0.5 ? { dateOfActivity: dateOfActivity() } : {}),
    };
  };

  const expr = (n: number, depth = 0): Expr => {
    if (depth > 2 || random() < 0.35) return int(1, n);
    const r = random();
    if (r < 0.2) return { not: expr(n, depth + 1) };
    const items = Array.from({ length: int(2, 3) }, () => expr(n, depth + 1));
    return r < 0.6 ? { and: items } : { or: items };
  };

  const list = (index: number, refs: Refs) => {
    const filters = Array.from({ length: int(1, 4) }, () => filter(refs));
    const n = filters.length;
    const logic = pick(['ALL', 'ANY', 'ADVANCED'] as const);
    const tree: Expr =
      logic === 'ADVANCED'
        ? expr(n)
        : n === 1
          ? 1
          : logic === 'ALL'
            ? { and: filters.map((_, i) => i + 1) }
            : { or: filters.map((_, i) => i + 1) };
    return {
      input: {
        name: `random ${index}`,
        logic,
        ...(logic === 'ADVANCED' ? { advancedLogic: render(tree, random) } : {}),
        filters,
      },
      filters,
      expr: tree,
    };
  };

  const run = (people: number, campaigns: string[]): RunRow => ({
    person: int(0, people - 1),
    campaign: pick(campaigns),
    at: NOW - hoursAgo() * H,
  });

  return { row, list, int, personRow, run };
}

interface Refs {
  lists: Array<{ id: string; depth: number }>;
  campaigns: string[];
}

const depthOf = (filters: any[], lists: Refs['lists']): number =>
  1 +
  Math.max(
    0,
    ...filters.map((f) =>
      f.memberOfSmartList ? lists.find((l) => l.id === f.memberOfSmartList.smartListId)!.depth : 0,
    ),
  );

describe(`smart lists: SQL membership equals a plain evaluator on random data (seed ${SEED}, ${CASES} lists)`, () => {
  let server: TestServer;
  const PEOPLE = 40;
  const personIds: string[] = [];
  const world: World = { people: [], rows: [], runs: [], members: new Map() };
  const campaigns: string[] = [];
  const random = mulberry32(SEED);
  const gen = generator(random);

  beforeAll(async () => {
    server = await startTestServer();
    const db = server.app.dataSource;
    await server.app.services.workspaceSettings.update(server.workspaceId, { timeZone: ZONE });
    for (const [constraint, names] of Object.entries(NAMES)) {
      for (const [widgetId, name] of Object.entries(names)) {
        await db.query(
          'INSERT INTO catalog_entry (workspace_id, entry_type, widget_id, chat_kind, name, name_key, url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [server.workspaceId, CATALOG_TYPE[constraint], widgetId, null, name, name.toLowerCase(), null, NOW, NOW],
        );
      }
    }
    for (let p = 0; p < PEOPLE; p++) {
      const person = gen.personRow(p);
      world.people.push(person);
      const id = await insertPerson(db, server.workspaceId, person.email);
      await db.query('UPDATE person SET company = ?, score = ?, created_at = ? WHERE id = ?', [
        person.company,
        person.score,
        person.createdAt,
        id,
      ]);
      personIds.push(id);
    }
    for (let p = 0; p < PEOPLE; p++) {
      // Some people have nothing, some a lot: min-times and negation need both.
      const mine = Array.from({ length: p % 7 === 0 ? 0 : gen.int(1, 30) }, () => gen.row(p));
      world.rows.push(...mine);
      await insertActivities(db, server.workspaceId, personIds[p], mine);
    }
    for (let c = 0; c < 3; c++) {
      const campaign = await server.app.services.campaigns.create(server.workspaceId, {
        name: `campaign ${c}`,
        triggers: [{ activity: ChatActivityType.GOAL_ACHIEVED }],
      });
      campaigns.push(campaign.id);
    }
    world.runs = Array.from({ length: 60 }, () => gen.run(PEOPLE, campaigns));
    for (const [seq, run] of world.runs.entries()) {
      await db.query(
        'INSERT INTO campaign_run (id, workspace_id, campaign_id, seq, person_id, activity_id, triggered_at, steps) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [newId(), server.workspaceId, run.campaign, seq + 1, personIds[run.person], newId(), run.at, '[]'],
      );
    }
  });
  afterAll(() => server.stop());

  it('agrees on members, memberCount, includes and Person.smartLists for every random list', async () => {
    const service = server.app.services.smartLists;
    const lists: Array<{ record: SmartListEntity; expected: number[]; advancedLogic?: string }> = [];
    const refs: Refs = { lists: [], campaigns };
    let nonTrivial = 0;
    const kinds = { person: 0, wasInCampaign: 0, memberOfSmartList: 0, nestedTwice: 0 };
    for (let i = 0; i < CASES; i++) {
      const list = gen.list(i, refs);
      // The parser is part of the path under test: the definition goes in as a client would send it.
      parseFilterSet(list.input, ['input']);
      const record = await service.create(server.workspaceId, list.input);
      const expected = members(world, list);
      world.members.set(record.id, expected);
      const depth = depthOf(list.filters, refs.lists);
      refs.lists.push({ id: record.id, depth });
      for (const f of list.filters) for (const kind of Object.keys(kinds)) if (kind in f) kinds[kind as 'person'] += 1;
      if (depth === MAX_DEPTH) kinds.nestedTwice += 1;
      if (expected.length > 0 && expected.length < PEOPLE) nonTrivial += 1;

      const got = (await service.members(record, { limit: 1000, now: NOW })).map((person) =>
        personIds.indexOf(person.id),
      );
      const context = `case ${i}: ${JSON.stringify(list.input)}`;
      expect({ context, members: got.sort((a, b) => a - b) }).toEqual({ context, members: expected });
      expect({ context, count: await service.memberCount(record, NOW) }).toEqual({ context, count: expected.length });
      const probe = gen.int(0, PEOPLE - 1);
      expect({ context, probe, includes: await service.includes(record, personIds[probe], NOW) }).toEqual({
        context,
        probe,
        includes: expected.includes(probe),
      });
      lists.push({ record, expected });
    }
    // The generator must produce lists that split the people, and every kind of filter, or equality proves little.
    expect(nonTrivial).toBeGreaterThan(CASES * 0.4);
    for (const count of Object.values(kinds)) expect(count).toBeGreaterThan(CASES * 0.05);

    const byPerson = await service.listsOf(server.workspaceId, personIds, NOW);
    personIds.forEach((_, p) => {
      const expected = lists
        .filter((l) => l.expected.includes(p))
        .map((l) => l.record.name)
        .sort();
      expect({ person: p, lists: byPerson[p].map((l) => l.name).sort() }).toEqual({ person: p, lists: expected });
    });
  });
});
