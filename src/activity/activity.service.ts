import { hash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { newId } from '../db/columns';
import { execAffected, isMysql, placeholders, selectEntities } from '../db/sql';
import { inTransaction } from '../db/transaction';
import { AppError, UserInputError } from '../shared/errors';
import type { PubSub } from '@graphql-yoga/subscription';
import { ACTIVITY_RECORDED, type ActivityTopics } from './activity.events';
import { violationError, violationsOf } from '../shared/validation';
import type { Logger } from '../shared/logger';
import type { PersonService } from '../person/person.service';
import type { ActivityRecordedHook, AfterCommit, PreparedHook } from './activity-hooks';
import { ActivityEntity, ChatActivityType, MeetingStatus, ONCE_PER_SESSION_TYPES } from './activity.entity';
import { ActivityErrorReason, batchSizeError, clientEventIdConflict } from './activity.errors';
import type { RecordChatActivityInput } from './record-activity.input';
import { WriteCoalescer } from './write-coalescer';
import { RecordOutcome } from './record-activity.type';

export const MAX_BATCH = 500;
const MAX_FUTURE_MS = 5 * 60_000;
const MAX_PAST_MS = 30 * 86_400_000;

export type RecordResult =
  { ok: true; outcome: RecordOutcome; activity: ActivityEntity } | { ok: false; error: AppError };

/** Which type each type-specific input field belongs to (`required`: must be present for it). */
const TYPE_FIELDS: ReadonlyArray<{
  field: 'prompt' | 'agent' | 'document' | 'goal' | 'meeting';
  type: ChatActivityType;
  required: boolean;
}> = [
  { field: 'prompt', type: ChatActivityType.ENGAGED, required: false },
  { field: 'agent', type: ChatActivityType.ENGAGED_WITH_AGENT, required: true },
  { field: 'document', type: ChatActivityType.INTERACTED_WITH_DOCUMENT, required: true },
  { field: 'goal', type: ChatActivityType.GOAL_ACHIEVED, required: true },
  { field: 'meeting', type: ChatActivityType.MEETING_SCHEDULED, required: true },
];

// One-shot crypto.hash: a batch of 100 hashes up to 200 times, and the Hash object per call showed in its profile.
const sha256 = (text: string): string => hash('sha256', text, 'hex');

/**
 * JSON with sorted keys and ISO dates, null and undefined members left out:
 * equal inputs give equal strings, whatever the key order sent. Request
 * hashes are stored, so the text must never change (a unit test pins it).
 * Loops rather than entries/filter/sort/map: it runs for every activity with
 * a clientEventId, and the chain was 6 % of a batch's server time.
 */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    // An undefined item has no JSON; Array#join wrote it as nothing, and so does this.
    for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + (canonical(value[i]) ?? '');
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, as `<` on strings does.
  const keys = Object.keys(object).sort();
  let out = '{';
  for (const key of keys) {
    const member = object[key];
    if (member === undefined || member === null) continue;
    out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonical(member);
  }
  return `${out}}`;
}

export interface TimelineFilter {
  types?: ChatActivityType[] | null;
  chatIds?: string[] | null;
  since?: Date | null;
  until?: Date | null;
}

/**
 * Recording chat activities: validation, the once-per-session and
 * idempotency rules (both enforced by unique indexes, never
 * check-then-insert), visitor → person resolution and identification, and
 * the hooks (campaigns, deliveries) that join the same transaction.
 *
 * The write path is batch-shaped: one transaction and a fixed number of
 * statements per call, whatever the number of activities in it.
 */
export class ActivityService {
  private readonly hooks: ActivityRecordedHook[] = [];
  private columns?: ColumnMetadata[];
  private readonly coalescer: WriteCoalescer<string, { input: RecordChatActivityInput; path: string[] }, RecordResult>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly people: PersonService,
    private readonly pubSub: PubSub<ActivityTopics>,
    private readonly log: Logger,
    /** Batches of one workspace written at once by coalesced single calls (see WriteCoalescer). */
    maxInFlightPerWorkspace = 4,
  ) {
    this.coalescer = new WriteCoalescer((workspaceId, items) => this.write(workspaceId, items), {
      maxBatch: MAX_BATCH,
      maxInFlight: Math.max(1, maxInFlightPerWorkspace),
    });
  }

  registerHook(hook: ActivityRecordedHook): void {
    this.hooks.push(hook);
  }

  /**
   * One activity; invalid input and clientEventId conflicts throw
   * (BAD_USER_INPUT / CONFLICT on ["input", …]). Concurrent calls of a
   * workspace are coalesced into one batch write (see WriteCoalescer); each
   * is still judged alone and answered once its row is durable.
   */
  async record(
    workspaceId: string,
    input: RecordChatActivityInput,
  ): Promise<{ outcome: RecordOutcome; activity: ActivityEntity }> {
    const result = await this.coalescer.submit(workspaceId, { input, path: ['input'] });
    if (!result.ok) throw result.error;
    return result;
  }

  /**
   * Each input is judged alone and takes effect in input order; a bad input
   * is answered with its error (path ["inputs", "<index>", …]) and does not
   * affect the others.
   */
  async recordMany(workspaceId: string, inputs: readonly RecordChatActivityInput[]): Promise<RecordResult[]> {
    if (inputs.length < 1 || inputs.length > MAX_BATCH) throw batchSizeError(MAX_BATCH);
    return this.write(
      workspaceId,
      inputs.map((input, index) => ({ input, path: ['inputs', String(index)] })),
    );
  }

  /** The write path: one transaction and a fixed number of statements for the whole batch. */
  private async write(
    workspaceId: string,
    items: ReadonlyArray<{ input: RecordChatActivityInput; path: string[] }>,
  ): Promise<RecordResult[]> {
    const inputs = items.map((item) => item.input);
    const now = new Date();
    const pathOf = (index: number) => items[index].path;
    const results: RecordResult[] = new Array(inputs.length);
    const pending: Array<{ index: number; input: RecordChatActivityInput; row: ActivityEntity }> = [];
    inputs.forEach((input, index) => {
      const error = this.check(input, pathOf(index), now);
      if (error) results[index] = { ok: false, error };
      else pending.push({ index, input, row: this.toRow(workspaceId, input, now) });
    });
    if (pending.length === 0) return results;

    const afterCommit = await inTransaction(this.dataSource, async (tx) => {
      for (const { input } of pending) {
        if (input.person) await this.people.identify(tx, workspaceId, input.visitorId, input.person, now);
      }
      const personOf = await this.people.resolveVisitors(
        tx,
        workspaceId,
        pending.map((p) => p.input.visitorId),
        now,
      );
      for (const item of pending) item.row.personId = personOf.get(item.input.visitorId)!;
      const rows = pending.map((p) => p.row);
      const prepared: PreparedHook[] = [];
      for (const hook of this.hooks) prepared.push(await hook.prepare(tx, { workspaceId, activities: rows }));
      if (isMysql(tx) && prepared.some((hook) => hook.updatesPeople)) {
        // The activity INSERT's foreign-key check takes a shared lock on each person, and a hook may then
        // update the person (CHANGE_SCORE): two such transactions would both wait to upgrade and deadlock.
        // Taking the exclusive locks first, in id order, makes them queue instead. Only when a hook says so:
        // the lock is a round trip and about a tenth of MariaDB's work per batch row, and otherwise nothing in
        // this transaction updates these people after the INSERT (hooks act on what their prepare read).
        const people = [...new Set(rows.map((row) => row.personId))].sort();
        await tx.query(
          `SELECT id FROM person WHERE id IN (${placeholders(people.length)}) ORDER BY id FOR UPDATE`,
          people,
        );
      }

      // INSERT-or-ignore: the unique indexes (once per session, clientEventId) decide, even between concurrent calls.
      const inserted = await this.insertIgnore(tx, rows);
      const ids = rows.map((row) => row.id);
      // Every row landed (the common case): no need to ask which.
      const stored =
        inserted === ids.length
          ? new Set(ids)
          : new Set<string>(
              (await tx.query(`SELECT id FROM activity WHERE id IN (${placeholders(ids.length)})`, ids)).map(
                (r: { id: string }) => r.id,
              ),
            );
      const rejected = pending.filter((p) => !stored.has(p.row.id));
      const existing = await this.findExisting(
        tx,
        workspaceId,
        rejected.map((p) => p.row),
      );
      const recorded: ActivityEntity[] = [];
      for (const { index, row } of pending) {
        if (stored.has(row.id)) {
          recorded.push(row);
          results[index] = { ok: true, outcome: RecordOutcome.RECORDED, activity: row };
          continue;
        }
        const sameKey = row.clientEventId ? existing.byClientEventId.get(row.clientEventId) : undefined;
        if (sameKey) {
          results[index] =
            sameKey.requestHash === row.requestHash
              ? { ok: true, outcome: RecordOutcome.DUPLICATE_REQUEST, activity: sameKey }
              : { ok: false, error: clientEventIdConflict([...pathOf(index), 'clientEventId']) };
          continue;
        }
        const sameSession = row.onceKey ? existing.byOnceKey.get(row.onceKey) : undefined;
        if (!sameSession) throw new Error(`activity insert was ignored for no known reason (index ${index})`);
        results[index] = { ok: true, outcome: RecordOutcome.ALREADY_LOGGED_IN_SESSION, activity: sameSession };
      }
      const after: AfterCommit[] = [];
      if (recorded.length > 0) {
        for (const hook of prepared) {
          const callback = await hook.recorded({ workspaceId, activities: recorded });
          if (callback) after.push(callback);
        }
        after.push(() => {
          for (const row of recorded) this.pubSub.publish(ACTIVITY_RECORDED, workspaceId, row);
        });
      }
      return after;
    });

    for (const callback of afterCommit) {
      try {
        await callback();
      } catch (err) {
        this.log.error({ err }, 'after-commit work of a recorded activity failed');
      }
    }
    return results;
  }

  async get(workspaceId: string, id: string): Promise<ActivityEntity | null> {
    return this.dataSource.getRepository(ActivityEntity).findOne({ where: { workspaceId, id } });
  }

  /** Batch load for DataLoaders, in key order. */
  async getMany(workspaceId: string, ids: readonly string[]): Promise<Array<ActivityEntity | null>> {
    const rows = await this.dataSource
      .getRepository(ActivityEntity)
      .createQueryBuilder('a')
      .where('a.workspace_id = :workspaceId AND a.id IN (:...ids)', { workspaceId, ids: [...new Set(ids)] })
      .getMany();
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /**
   * A person's activities, newest first by (occurredAt, id), `limit` rows
   * after the keyset position `after`. Served by idx_activity_person_time, so
   * a page costs the same at page 1 and page 1000.
   */
  async timeline(
    personId: string,
    options: { limit: number; after: { occurredAt: number; id: string } | null; filter?: TimelineFilter | null },
  ): Promise<ActivityEntity[]> {
    const where = ['a.person_id = ?'];
    const params: unknown[] = [personId];
    const filter = options.filter;
    if (filter?.types?.length) {
      where.push(`a.type IN (${placeholders(filter.types.length)})`);
      params.push(...filter.types);
    }
    if (filter?.chatIds?.length) {
      where.push(`a.chat_id IN (${placeholders(filter.chatIds.length)})`);
      params.push(...filter.chatIds);
    }
    if (filter?.since) {
      where.push('a.occurred_at >= ?');
      params.push(filter.since.getTime());
    }
    if (filter?.until) {
      where.push('a.occurred_at < ?');
      params.push(filter.until.getTime());
    }
    if (options.after) {
      // The first bound is implied by the second; it is there so SQLite, which plans no range from an OR, starts
      // the index scan at the cursor instead of at the person's newest activity.
      where.push('a.occurred_at <= ? AND (a.occurred_at < ? OR (a.occurred_at = ? AND a.id < ?))');
      params.push(options.after.occurredAt, options.after.occurredAt, options.after.occurredAt, options.after.id);
    }
    // One range scan of idx_activity_person_time from the cursor, named in the query. Left to choose, MariaDB may
    // read the person's index from the newest entry and fetch every row until it passes the cursor (a bulk-loaded
    // person of 25 000 activities: 200 ms at page 1000 instead of 1 ms). A deferred join (ids first, then rows by
    // key) also avoided that but cost MariaDB 300-380 µs of CPU per page against 180-190 µs for the hinted scan
    // (bench data, 1M activities). SQLite spells the hint INDEXED BY; both fail loudly if the index goes away.
    const hint = isMysql(this.dataSource)
      ? 'FORCE INDEX (idx_activity_person_time)'
      : 'INDEXED BY idx_activity_person_time';
    return selectEntities(
      this.dataSource,
      ActivityEntity,
      'a',
      `${hint} WHERE ${where.join(' AND ')} ORDER BY a.occurred_at DESC, a.id DESC LIMIT ?`,
      [...params, options.limit],
    );
  }

  // ---------------------------------------------------------------- private

  /**
   * One multi-row INSERT-or-ignore, returning how many rows were stored.
   * Written by hand rather than through the query builder: it is the hot
   * path, and the builder's per-value work dominated batches of 100.
   */
  private async insertIgnore(tx: EntityManager, rows: readonly ActivityEntity[]): Promise<number> {
    const columns = this.insertColumns(tx);
    const values: unknown[] = [];
    for (const row of rows) for (const column of columns) values.push(column.getEntityValue(row, true) ?? null);
    const tuple = `(${placeholders(columns.length)})`;
    const sql = `INSERT ${isMysql(tx) ? 'IGNORE' : 'OR IGNORE'} INTO activity (${columns.map((c) => c.databaseName).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`;
    return execAffected(tx, sql, values);
  }

  private insertColumns(tx: EntityManager) {
    this.columns ??= tx.connection.getMetadata(ActivityEntity).columns;
    return this.columns;
  }

  private async findExisting(tx: EntityManager, workspaceId: string, rows: readonly ActivityEntity[]) {
    const repo = tx.getRepository(ActivityEntity);
    const clientEventIds = [...new Set(rows.map((r) => r.clientEventId).filter((v): v is string => !!v))];
    const onceKeys = [...new Set(rows.map((r) => r.onceKey).filter((v): v is string => !!v))];
    const [byClient, byOnce] = await Promise.all([
      clientEventIds.length
        ? repo
            .createQueryBuilder('a')
            .where('a.workspace_id = :workspaceId AND a.client_event_id IN (:...ids)', {
              workspaceId,
              ids: clientEventIds,
            })
            .getMany()
        : [],
      onceKeys.length
        ? repo
            .createQueryBuilder('a')
            .where('a.workspace_id = :workspaceId AND a.once_key IN (:...keys)', { workspaceId, keys: onceKeys })
            .getMany()
        : [],
    ]);
    return {
      byClientEventId: new Map(byClient.map((r) => [r.clientEventId!, r])),
      byOnceKey: new Map(byOnce.map((r) => [r.onceKey!, r])),
    };
  }

  private check(input: RecordChatActivityInput, path: string[], now: Date): AppError | null {
    const violations = violationsOf(input, path);
    if (violations.length > 0) return violationError(violations);
    for (const { field, type, required } of TYPE_FIELDS) {
      const present = input[field] !== undefined && input[field] !== null;
      if (present && input.type !== type) {
        return new UserInputError(
          `${field} is only allowed for ${type} activities`,
          [...path, field],
          ActivityErrorReason.FIELD_NOT_ALLOWED,
        );
      }
      if (!present && required && input.type === type) {
        return new UserInputError(
          `${field} is required for ${type} activities`,
          [...path, field],
          ActivityErrorReason.FIELD_REQUIRED,
        );
      }
    }
    if (input.occurredAt) {
      const at = input.occurredAt.getTime();
      if (at > now.getTime() + MAX_FUTURE_MS) {
        return new UserInputError(
          'occurredAt must be at most 5 minutes in the future',
          [...path, 'occurredAt'],
          ActivityErrorReason.OCCURRED_AT_IN_FUTURE,
        );
      }
      if (at < now.getTime() - MAX_PAST_MS) {
        return new UserInputError(
          'occurredAt must be at most 30 days in the past',
          [...path, 'occurredAt'],
          ActivityErrorReason.OCCURRED_AT_TOO_OLD,
        );
      }
    }
    return null;
  }

  private toRow(workspaceId: string, input: RecordChatActivityInput, now: Date): ActivityEntity {
    const { clientEventId, ...content } = input;
    const meeting = input.meeting;
    const agent = input.agent ?? meeting?.agent ?? null;
    return Object.assign(new ActivityEntity(), {
      id: newId(),
      workspaceId,
      personId: '',
      type: input.type,
      occurredAt: input.occurredAt ?? now,
      recordedAt: now,
      visitorId: input.visitorId,
      sessionId: input.sessionId,
      chatKind: input.chat.kind,
      chatId: input.chat.id,
      chatName: input.chat.name,
      pageUrl: input.pageUrl ?? null,
      clientEventId: clientEventId ?? null,
      // The content as sent (a defaulted occurredAt is not part of it): a retry must hash the same.
      requestHash: clientEventId ? sha256(canonical(content)) : null,
      // An array of strings: JSON.stringify gives exactly canonical()'s text, so stored keys stay comparable.
      onceKey: ONCE_PER_SESSION_TYPES.has(input.type)
        ? sha256(JSON.stringify([input.visitorId, input.sessionId, input.chat.id, input.type]))
        : null,
      prompt: input.prompt ?? null,
      agentId: agent?.id ?? null,
      agentName: agent?.name ?? null,
      documentId: input.document?.id ?? null,
      documentName: input.document?.name ?? null,
      documentUrl: input.document?.url ?? null,
      goal: input.goal ?? null,
      meetingStartsAt: meeting?.startsAt ?? null,
      meetingDurationMinutes: meeting?.durationMinutes ?? null,
      meetingStatus: meeting ? (meeting.status ?? MeetingStatus.SCHEDULED) : null,
    });
  }
}
