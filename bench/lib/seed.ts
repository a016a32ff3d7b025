import { randomBytes } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { Pool } from 'mysql2/promise';
import { v7 as uuidv7 } from 'uuid';

export interface SeedResult {
  people: number;
  activities: number;
  /** The person with the most activities (the timeline scenario pages through them). */
  busiestPersonId: string;
  busiestPersonActivities: number;
}

const TYPES = [
  'TRIGGERED',
  'ENGAGED',
  'ENGAGED_WITH_AGENT',
  'INTERACTED_WITH_DOCUMENT',
  'GOAL_ACHIEVED',
  'MEETING_SCHEDULED',
];
const CHATS = Array.from({ length: 40 }, (_, i) => `chat-${i}`);
const GOALS = ['pricing-viewed', 'demo-requested', 'trial-started', 'contact-sales', 'newsletter'];
const DAY = 86_400_000;
const ACTIVITY_COLUMNS = [
  'id',
  'workspace_id',
  'person_id',
  'type',
  'occurred_at',
  'recorded_at',
  'visitor_id',
  'session_id',
  'chat_kind',
  'chat_id',
  'chat_name',
  'page_url',
  'client_event_id',
  'once_key',
  'agent_id',
  'agent_name',
  'document_id',
  'document_name',
  'goal',
  'meeting_starts_at',
  'meeting_duration_minutes',
  'meeting_status',
  'prompt',
];

/** Where the generated rows go: multi-row INSERTs on MariaDB, one prepared statement in one transaction per chunk on SQLite. */
export interface BulkWriter {
  insert(table: string, columns: string[], rows: unknown[][]): Promise<void>;
  analyze(): Promise<void>;
}

export function mysqlWriter(pool: Pool): BulkWriter {
  return {
    insert: async (table, columns, rows) => {
      await pool.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [rows]);
    },
    analyze: async () => {
      await pool.query('ANALYZE TABLE person, visitor, activity, catalog_entry');
    },
  };
}

export function sqliteWriter(db: BetterSqlite3.Database): BulkWriter {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    // better-sqlite3 is synchronous: each call's work is done when its promise is returned.
    insert: (table, columns, rows) => {
      const key = `${table}(${columns.join(',')})`;
      let statement = statements.get(key);
      if (!statement)
        statements.set(
          key,
          (statement = db.prepare(
            `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
          )),
        );
      const insertAll = db.transaction((all: unknown[][]) => {
        for (const row of all) statement.run(row);
      });
      insertAll(rows);
      return Promise.resolve();
    },
    analyze: () => {
      db.exec('ANALYZE');
      return Promise.resolve();
    },
  };
}

/** A small deterministic PRNG so two runs seed the same shape of data. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Bulk-loads people, visitors and activities straight into the tables with
 * multi-row INSERTs (the generator is not what is measured). One person gets
 * `busiest` activities so the timeline can be paged 1000 pages deep.
 */
export async function seedBulk(
  writer: BulkWriter,
  workspaceId: string,
  people: number,
  activities: number,
  busiest = 25_000,
): Promise<SeedResult> {
  const random = mulberry32(42);
  const now = Date.now();
  const personIds: string[] = [];
  for (let start = 0; start < people; start += 2_000) {
    const rows: unknown[][] = [];
    const visitors: unknown[][] = [];
    for (let i = start; i < Math.min(people, start + 2_000); i += 1) {
      const id = uuidv7();
      personIds.push(id);
      const known = i % 3 === 0;
      rows.push([
        id,
        workspaceId,
        known ? `person${i}@example.com` : null,
        known ? `person${i}@example.com` : null,
        known ? 'Ada' : null,
        known ? `Lovelace${i}` : null,
        null,
        0,
        now - 60 * DAY,
        now - 60 * DAY,
      ]);
      visitors.push([workspaceId, `seed-visitor-${i}`, id, now - 60 * DAY, now - 60 * DAY]);
    }
    await writer.insert(
      'person',
      [
        'id',
        'workspace_id',
        'email',
        'email_normalized',
        'first_name',
        'last_name',
        'company',
        'score',
        'created_at',
        'updated_at',
      ],
      rows,
    );
    await writer.insert('visitor', ['workspace_id', 'visitor_id', 'person_id', 'created_at', 'updated_at'], visitors);
  }
  const busiestPersonId = personIds[0];
  const batch = 2_000;
  for (let start = 0; start < activities; start += batch) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(activities, start + batch); i += 1) {
      const personIndex = i < busiest ? 0 : 1 + Math.floor(random() * (personIds.length - 1));
      const type = TYPES[Math.floor(random() * TYPES.length)];
      const occurred = now - Math.floor(random() * 90 * DAY);
      const chat = CHATS[Math.floor(random() * CHATS.length)];
      const agent =
        type === 'ENGAGED_WITH_AGENT' || type === 'MEETING_SCHEDULED' ? `agent-${Math.floor(random() * 10)}` : null;
      rows.push([
        uuidv7(),
        workspaceId,
        personIds[personIndex],
        type,
        occurred,
        occurred,
        `seed-visitor-${personIndex}`,
        `seed-session-${Math.floor(i / 5)}`,
        random() < 0.5 ? 'DIALOGUE' : 'CONVERSATIONAL_FLOW',
        chat,
        `Chat ${chat}`,
        `https://example.com/${['pricing', 'docs', 'blog', 'product'][Math.floor(random() * 4)]}`,
        null,
        // Once-per-session types need a unique once_key; random bytes keep them unique.
        type === 'TRIGGERED' || type === 'ENGAGED' || type === 'ENGAGED_WITH_AGENT'
          ? randomBytes(32).toString('hex')
          : null,
        agent,
        agent ? `Agent ${agent}` : null,
        type === 'INTERACTED_WITH_DOCUMENT' ? `doc-${Math.floor(random() * 50)}` : null,
        type === 'INTERACTED_WITH_DOCUMENT' ? 'Whitepaper' : null,
        type === 'GOAL_ACHIEVED' ? GOALS[Math.floor(random() * GOALS.length)] : null,
        type === 'MEETING_SCHEDULED' ? occurred + 3 * DAY : null,
        type === 'MEETING_SCHEDULED' ? 30 : null,
        type === 'MEETING_SCHEDULED' ? 'SCHEDULED' : null,
        type === 'ENGAGED' ? 'MULTIPLE_CHOICE' : null,
      ]);
    }
    await writer.insert('activity', ACTIVITY_COLUMNS, rows);
  }
  // The catalog the server keeps beside the activities: every chat, agent and document an activity names has its
  // entry (the server creates one with the first activity), so reads show it as it is now.
  const entry = (type: string, widgetId: string, name: string, chatKind: string | null, url: string | null) => [
    workspaceId,
    type,
    widgetId,
    chatKind,
    name,
    name.toLowerCase(),
    url,
    now - 90 * DAY,
    now - 90 * DAY,
  ];
  await writer.insert(
    'catalog_entry',
    ['workspace_id', 'entry_type', 'widget_id', 'chat_kind', 'name', 'name_key', 'url', 'created_at', 'updated_at'],
    [
      ...CHATS.map((chat) => entry('CHAT', chat, `Chat ${chat}`, 'DIALOGUE', null)),
      ...Array.from({ length: 10 }, (_, i) => entry('AGENT', `agent-${i}`, `Agent agent-${i}`, null, null)),
      ...Array.from({ length: 50 }, (_, i) =>
        entry('DOCUMENT', `doc-${i}`, 'Whitepaper', null, `https://example.com/docs/doc-${i}.pdf`),
      ),
    ],
  );
  await writer.analyze();
  return { people, activities, busiestPersonId, busiestPersonActivities: Math.min(busiest, activities) };
}
