/**
 * npm run seed: loads a realistic demo data set into the configured database
 * (DATABASE_URL, or the default SQLite file) through the real services, so a
 * new user sees populated timelines at once: 60 people (two thirds
 * identified), 1-3 visitors each, sessions with all six activity types over
 * the last 30 days. Running it again the same (UTC) day adds nothing: times
 * and clientEventIds derive from the day, so every write is a DUPLICATE_REQUEST.
 * Prints an API key (READ + RECORD + SUBSCRIBE) for the seeded workspace.
 */
import 'reflect-metadata';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/shared/logger';
import { createApp } from '../src/server';
import type { RecordChatActivityInput } from '../src/activity/record-activity.input';
import { RecordOutcome } from '../src/activity/activity.model';
import { ChatActivityType, ChatKind, MeetingStatus, PromptType } from '../src/activity/activity.entity';
import { ALL_SCOPES, Scope } from '../src/auth/scope';

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'Niklaus'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Allen', 'Wirth'];
const COMPANIES = ['Analytical Engines', 'Compilers Inc', 'Bletchley Labs', 'Structured Co', 'Abstract Data'];
const CHATS = [
  { kind: ChatKind.DIALOGUE, id: 'pricing-dialogue', name: 'Pricing questions' },
  { kind: ChatKind.CONVERSATIONAL_FLOW, id: 'demo-flow', name: 'Book a demo' },
  { kind: ChatKind.DIALOGUE, id: 'docs-dialogue', name: 'Documentation helper' },
];
const AGENTS = [
  { id: 'agent-sam', name: 'Sam Rivera' },
  { id: 'agent-kim', name: 'Kim Lee' },
];
const DOCUMENTS = [
  { id: 'doc-whitepaper', name: 'Security whitepaper', url: 'https://example.com/whitepaper.pdf' },
  { id: 'doc-pricing', name: 'Pricing sheet', url: 'https://example.com/pricing.pdf' },
];
const GOALS = ['demo-requested', 'pricing-viewed', 'trial-started', 'contact-sales'];
const PAGES = [
  'https://example.com/',
  'https://example.com/pricing',
  'https://example.com/docs',
  'https://example.com/product',
];

/** Deterministic, so a second run produces the same clientEventIds. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config, { log: createLogger('warn') });
  try {
    const [workspace] = await app.dataSource.query<
      Array<{
        id: string;
      }>
    >('SELECT id FROM workspace ORDER BY id LIMIT 1');
    const rand = random(7);
    const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
    const DAY = 86_400_000;
    const now = Math.floor(Date.now() / DAY) * DAY;
    const day = new Date(now).toISOString().slice(0, 10);
    let recorded = 0;
    let repeated = 0;
    for (let p = 0; p < 60; p += 1) {
      const visitors = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, v) => `demo-visitor-${p}-${v}`);
      const identified = p % 3 !== 2;
      const inputs: RecordChatActivityInput[] = [];
      for (const [v, visitorId] of visitors.entries()) {
        for (let s = 0; s < 1 + Math.floor(rand() * 3); s += 1) {
          const sessionId = `demo-session-${p}-${v}-${s}`;
          const chat = pick(CHATS);
          // Sessions happened over the last 29 days, each lasting a few minutes.
          const start = now - Math.floor(rand() * 29 * DAY) - 3_600_000;
          const at = (minutes: number) => new Date(start + minutes * 60_000);
          const event = (n: number) => `demo-${day}-${p}-${v}-${s}-${n}`;
          const common = { visitorId, sessionId, chat, pageUrl: pick(PAGES) };
          inputs.push({
            ...common,
            clientEventId: event(0),
            type: ChatActivityType.TRIGGERED,
            occurredAt: at(0),
          });
          if (rand() < 0.8)
            inputs.push({
              ...common,
              clientEventId: event(1),
              type: ChatActivityType.ENGAGED,
              prompt: pick(Object.values(PromptType)),
              occurredAt: at(1),
            });
          if (rand() < 0.4)
            inputs.push({
              ...common,
              clientEventId: event(2),
              type: ChatActivityType.ENGAGED_WITH_AGENT,
              agent: pick(AGENTS),
              occurredAt: at(2),
            });
          if (rand() < 0.5)
            inputs.push({
              ...common,
              clientEventId: event(3),
              type: ChatActivityType.INTERACTED_WITH_DOCUMENT,
              document: pick(DOCUMENTS),
              occurredAt: at(3),
            });
          if (rand() < 0.6)
            inputs.push({
              ...common,
              clientEventId: event(4),
              type: ChatActivityType.GOAL_ACHIEVED,
              goal: pick(GOALS),
              occurredAt: at(4),
            });
          if (rand() < 0.3) {
            const meeting = {
              startsAt: new Date(start + 3 * DAY),
              durationMinutes: 30,
              agent: pick(AGENTS),
              status: MeetingStatus.SCHEDULED,
            };
            inputs.push({
              ...common,
              clientEventId: event(5),
              type: ChatActivityType.MEETING_SCHEDULED,
              meeting,
              occurredAt: at(5),
            });
            if (rand() < 0.3) {
              inputs.push({
                ...common,
                clientEventId: event(6),
                type: ChatActivityType.MEETING_SCHEDULED,
                meeting: { ...meeting, status: MeetingStatus.RESCHEDULED, startsAt: new Date(start + 5 * DAY) },
                occurredAt: at(6),
              });
            }
          }
        }
      }
      if (identified) {
        // The visitor typed an email into the chat: the last activity carries it.
        const last = inputs[inputs.length - 1];
        last.person = {
          email: `${FIRST[p % 10].toLowerCase()}.${LAST[(p * 7) % 10].toLowerCase()}${p}@example.com`,
          firstName: FIRST[p % 10],
          lastName: LAST[(p * 7) % 10],
          company: pick(COMPANIES),
        };
        for (const visitorId of visitors.slice(0, -1)) {
          await app.services.people.identifyVisitor(workspace.id, { visitorId, ...last.person }, { overwrite: true });
        }
      }
      const results = await app.services.activities.recordMany(workspace.id, inputs, { trusted: true });
      for (const result of results) {
        if (!result.ok) throw result.error;
        if (result.outcome === RecordOutcome.RECORDED) recorded += 1;
        else repeated += 1;
      }
    }
    const key = await app.services.apiKeys.create(
      workspace.id,
      'demo (seed)',
      [Scope.READ, Scope.RECORD, Scope.SUBSCRIBE],
      { grantorScopes: new Set(ALL_SCOPES) },
    );
    process.stdout.write(
      `Seeded workspace ${workspace.id}: ${recorded} activities recorded (${repeated} already there) for 60 people.\n` +
        `An API key for it (READ, RECORD, SUBSCRIBE), shown once:\n\n  ${key.secret}\n\n` +
        `Try: { people(first: 5) { totalCount edges { node { email activities(first: 5) { edges { node { type occurredAt } } } } } } }\n`,
    );
  } finally {
    await app.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
