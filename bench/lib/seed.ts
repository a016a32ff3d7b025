import { randomBytes } from 'node:crypto';
import type { Pool } from 'mysql2/promise';
import { v7 as uuidv7 } from 'uuid';

export interface SeedResult {
  people: number;
  activities: number;
  /** The person with the most activities (the timeline scenario pages through them). */
  busiestPersonId: string;
  busiestPersonActivities: number;
}

const TYPES = ['TRIGGERED', 'ENGAGED', 'ENGAGED_WITH_AGENT', 'INTERACTED_WITH_DOCUMENT', 'GOAL_ACHIEVED', 'MEETING_SCHEDULED'];
const CHATS = Array.from({ length: 40 }, (_, i) => `chat-${i}`);
const GOALS = ['pricing-viewed', 'demo-requested', 'trial-started', 'contact-sales', 'newsletter'];
const DAY = 86_400_000;

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
export async function seedBulk(pool: Pool, workspaceId: string, people: number, activities: number, busiest = 25_000): Promise<SeedResult> {
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
      rows.push([id, workspaceId, known ? `person${i}@example.com` : null, known ? `person${i}@example.com` : null, known ? 'Ada' : null, known ? `Lovelace${i}` : null, null, 0, now - 60 * DAY, now - 60 * DAY]);
      visitors.push([workspaceId, `seed-visitor-${i}`, id, now - 60 * DAY, now - 60 * DAY]);
    }
    await pool.query('INSERT INTO person (id, workspace_id, email, email_normalized, first_name, last_name, company, score, created_at, updated_at) VALUES ?', [rows]);
    await pool.query('INSERT INTO visitor (workspace_id, visitor_id, person_id, created_at, updated_at) VALUES ?', [visitors]);
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
      const agent = type === 'ENGAGED_WITH_AGENT' || type === 'MEETING_SCHEDULED' ? `agent-${Math.floor(random() * 10)}` : null;
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
        type === 'TRIGGERED' || type === 'ENGAGED' || type === 'ENGAGED_WITH_AGENT' ? randomBytes(32).toString('hex') : null,
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
    await pool.query(
      `INSERT INTO activity (id, workspace_id, person_id, type, occurred_at, recorded_at, visitor_id, session_id, chat_kind, chat_id, chat_name, page_url,
        client_event_id, once_key, agent_id, agent_name, document_id, document_name, goal, meeting_starts_at, meeting_duration_minutes, meeting_status, prompt) VALUES ?`,
      [rows],
    );
  }
  await pool.query('ANALYZE TABLE person, visitor, activity');
  return { people, activities, busiestPersonId, busiestPersonActivities: Math.min(busiest, activities) };
}
