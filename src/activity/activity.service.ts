import type { DataSource, EntityManager } from 'typeorm';
import { isDatabaseUnavailable } from '../db/deadline';
import { inTransaction } from '../db/transaction';
import type { CatalogService } from '../catalog/catalog.service';
import { chatKindConflict } from '../catalog/catalog.errors';
import type { PersonService } from '../person/person.service';
import { AppError } from '../shared/errors';
import type { AppMetrics } from '../metrics/metrics';
import type { Logger } from '../shared/logger';
import type { PubSub } from '../shared/pubsub';
import { mapEvents, type EventStream } from '../shared/streams';
import { ReplayStream, type SyncMarker } from '../shared/replay-stream';
import type { ActivityRecordedHook, AfterCommit, PreparedHook } from './activity-hooks';
import type { ActivityEntity } from './activity.entity';
import { batchSizeError, clientEventIdConflict } from './activity.errors';
import {
  ACTIVITY_RECORDED,
  activityEvent,
  activityFromEvent,
  type ActivityRecordedEvent,
  type ActivityTopics,
} from './activity.events';
import { RecordOutcome, type RecordResult } from './activity.model';
import { ActivityRepository, type TimelinePage } from './activity.repository';
import { activityRow, checkActivityInput } from './activity.rules';
import type { RecordChatActivityInput } from './record-activity.input';
import { WriteCoalescer } from './write-coalescer';

export const MAX_BATCH = 500;

export type { RecordResult };

/** Who records: a caller whose key is not public (not only RECORD) is trusted with the identities it sends. */
export interface Caller {
  trusted: boolean;
}

interface Item {
  input: RecordChatActivityInput;
  path: string[];
  caller: Caller;
}

/**
 * Decides, before the write, how each item's `person` may identify its
 * visitor (identity verification, src/identity): refused, or how; null for an
 * item without `person`.
 */
export type IdentityGate = (
  workspaceId: string,
  items: readonly Item[],
) => Promise<Array<{ error: AppError } | { overwrite: boolean; verified: boolean } | null>>;

/**
 * Recording chat activities: validation, the once-per-session and
 * idempotency rules (both enforced by unique indexes, never
 * check-then-insert), visitor → person resolution and identification, the
 * hooks (campaigns, deliveries) that join the same transaction, and the
 * workspace's activity stream.
 *
 * The write path is batch-shaped: one transaction and a fixed number of
 * statements per call, whatever the number of activities in it.
 */
export class ActivityService {
  private readonly hooks: ActivityRecordedHook[] = [];
  private readonly coalescer: WriteCoalescer<string, Item, RecordResult>;
  readonly repository: ActivityRepository;
  private identityGate: IdentityGate = (_workspaceId, items) =>
    Promise.resolve(
      items.map((item) => (item.input.person ? { overwrite: true, verified: item.caller.trusted } : null)),
    );

  constructor(
    private readonly dataSource: DataSource,
    private readonly people: PersonService,
    private readonly catalog: CatalogService,
    private readonly pubSub: PubSub<ActivityTopics>,
    private readonly log: Logger,
    private readonly options: {
      /** Batches of one workspace written at once by coalesced single calls (see WriteCoalescer). */
      maxInFlightPerWorkspace: number;
      /** Events an activityRecorded subscriber may fall behind by. */
      maxPendingEvents: number;
      /** Reports the coalescer's batch sizes and queue waits. */
      metrics?: Pick<AppMetrics, 'writeBatch'>;
    },
  ) {
    this.repository = new ActivityRepository(dataSource);
    this.coalescer = new WriteCoalescer((workspaceId, items) => this.writeIsolated(workspaceId, items), {
      maxBatch: MAX_BATCH,
      maxInFlight: Math.max(1, options.maxInFlightPerWorkspace),
      metrics: options.metrics,
    });
  }

  registerHook(hook: ActivityRecordedHook): void {
    this.hooks.push(hook);
  }

  setIdentityGate(gate: IdentityGate): void {
    this.identityGate = gate;
  }

  /** A person merge moves the anonymous person's activities (PersonService merge step). */
  readonly moveActivities = async (tx: EntityManager, _workspaceId: string, from: string, to: string) => {
    await tx.query('UPDATE activity SET person_id = ? WHERE person_id = ?', [to, from]);
  };

  /**
   * One activity; invalid input and clientEventId conflicts throw
   * (BAD_USER_INPUT / CONFLICT on ["input", …]). Concurrent calls of a
   * workspace are coalesced into one batch write (see WriteCoalescer); each
   * is still judged alone and answered once its row is durable.
   */
  async record(
    workspaceId: string,
    input: RecordChatActivityInput,
    caller: Caller,
  ): Promise<Extract<RecordResult, { ok: true }>> {
    const result = await this.coalescer.submit(workspaceId, { input, path: ['input'], caller });
    if (!result.ok) throw result.error;
    return result;
  }

  /**
   * Each input is judged alone and takes effect in input order; a bad input
   * is answered with its error (path ["inputs", "<index>", …]) and does not
   * affect the others.
   */
  async recordMany(
    workspaceId: string,
    inputs: readonly RecordChatActivityInput[],
    caller: Caller,
    /** Inputs refused before the write (e.g. over a rate limit), by index: answered with their error, not written. */
    refused: ReadonlyMap<number, AppError> = new Map(),
  ): Promise<RecordResult[]> {
    if (inputs.length < 1 || inputs.length > MAX_BATCH) throw batchSizeError(MAX_BATCH);
    const items = inputs.map((input, index) => ({ index, item: { input, path: ['inputs', String(index)], caller } }));
    const written = await this.writeIsolated(
      workspaceId,
      items.filter(({ index }) => !refused.has(index)).map(({ item }) => item),
    );
    let next = 0;
    return items.map(({ index }) => {
      const refusal = refused.get(index);
      return refusal ? { ok: false, error: refusal } : written[next++];
    });
  }

  /**
   * The batch write, where one item's unexpected failure fails only that
   * item: a batch that throws is written again in halves, in input order,
   * down to the item that fails alone, so its siblings are stored and
   * answered as if it were not there. A database that is down or past its
   * deadline fails every item alike, so that is answered at once instead.
   */
  private async writeIsolated(workspaceId: string, items: readonly Item[]): Promise<RecordResult[]> {
    try {
      return await this.write(workspaceId, items);
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      // Alone, the item's failure is its answer (the caller logs it with the request it belongs to).
      if (items.length === 1) return [{ ok: false, error: err }];
      const middle = Math.ceil(items.length / 2);
      const first = await this.writeIsolated(workspaceId, items.slice(0, middle));
      return [...first, ...(await this.writeIsolated(workspaceId, items.slice(middle)))];
    }
  }

  /** One transaction and a fixed number of statements for the whole batch. */
  private async write(workspaceId: string, items: readonly Item[]): Promise<RecordResult[]> {
    const now = new Date();
    const results: RecordResult[] = new Array<RecordResult>(items.length);
    const checked: Array<{ index: number; item: Item; row: ActivityEntity }> = [];
    items.forEach((item, index) => {
      const error = checkActivityInput(item.input, item.path, now);
      if (error) results[index] = { ok: false, error };
      else checked.push({ index, item, row: activityRow(workspaceId, item.input, now) });
    });
    const gates = await this.identityGate(
      workspaceId,
      checked.map((c) => c.item),
    );
    const gated = checked.flatMap((entry, i) => {
      const gate = gates[i];
      if (gate && 'error' in gate) {
        results[entry.index] = { ok: false, error: gate.error };
        return [];
      }
      return [{ ...entry, overwrite: gate?.overwrite ?? true, identityVerified: gate?.verified ?? null }];
    });
    if (gated.length === 0) return results;

    const afterCommit = await inTransaction(this.dataSource, async (tx) => {
      // First, before anything of the batch is written: an activity naming a chat of another kind stores nothing.
      const kinds = await this.catalog.claimChats(
        tx,
        workspaceId,
        gated.map((p) => p.row),
      );
      const pending = gated.filter((entry, i) => {
        const kind = kinds[i];
        if (kind !== null)
          results[entry.index] = {
            ok: false,
            error: chatKindConflict([...entry.item.path, 'chat', 'kind'], entry.row.chatId, kind),
          };
        return kind === null;
      });
      if (pending.length === 0) return [];
      for (const { item, overwrite } of pending) {
        const { person, visitorId } = item.input;
        if (person) await this.people.identify(tx, workspaceId, visitorId, person, now, { overwrite });
      }
      const personOf = await this.people.resolveVisitors(
        tx,
        workspaceId,
        pending.map((p) => p.item.input.visitorId),
        now,
      );
      for (const p of pending) p.row.personId = personOf.get(p.item.input.visitorId)!;
      const rows = pending.map((p) => p.row);
      const prepared: PreparedHook[] = [];
      for (const hook of this.hooks) prepared.push(await hook.prepare(tx, { workspaceId, activities: rows }));
      if (prepared.some((hook) => hook.updatesPeople)) {
        // The activity INSERT's foreign-key check takes a shared lock on each person, and a hook may then
        // update the person (CHANGE_SCORE): two such transactions would both wait to upgrade and deadlock.
        // Taking the exclusive locks first, in id order, makes them queue instead. Only when a hook says so:
        // the lock is a round trip and a share of the database's work per row, and otherwise nothing in this
        // transaction updates these people after the INSERT (hooks act on what their prepare read).
        await this.people.repository.lockForUpdate(
          tx,
          rows.map((row) => row.personId),
        );
      }

      const inserted = await this.repository.insertIgnore(tx, rows);
      const ids = rows.map((row) => row.id);
      // Every row landed (the common case): no need to ask which.
      const stored = inserted === ids.length ? new Set(ids) : await this.repository.storedIds(tx, ids);
      const existing = await this.repository.findExisting(
        tx,
        workspaceId,
        rows.filter((row) => !stored.has(row.id)),
      );
      const recorded: ActivityEntity[] = [];
      for (const { index, item, row, identityVerified } of pending) {
        if (stored.has(row.id)) {
          recorded.push(row);
          results[index] = { ok: true, outcome: RecordOutcome.RECORDED, activity: row, identityVerified };
          continue;
        }
        const sameKey = row.clientEventId ? existing.byClientEventId.get(row.clientEventId) : undefined;
        if (sameKey) {
          results[index] =
            sameKey.requestHash === row.requestHash
              ? { ok: true, outcome: RecordOutcome.DUPLICATE_REQUEST, activity: sameKey, identityVerified }
              : { ok: false, error: clientEventIdConflict([...item.path, 'clientEventId']) };
          continue;
        }
        const sameSession = row.onceKey ? existing.byOnceKey.get(row.onceKey) : undefined;
        if (!sameSession) throw new Error(`activity insert was ignored for no known reason (${item.path.join('.')})`);
        results[index] = {
          ok: true,
          outcome: RecordOutcome.ALREADY_LOGGED_IN_SESSION,
          activity: sameSession,
          identityVerified,
        };
      }
      const after: AfterCommit[] = [];
      if (recorded.length > 0) {
        // Names before the hooks: campaign triggers and filters on chatName, agentName and documentName see the
        // names as they are once this batch commits, the triggering activity's own included.
        await this.catalog.recordNames(tx, workspaceId, recorded);
        for (const hook of prepared) {
          const callback = await hook.recorded({ workspaceId, activities: recorded });
          if (callback) after.push(callback);
        }
        // Last, so the stream head's lock is held only until the commit that follows.
        await this.repository.assignStreamPositions(tx, workspaceId, recorded);
        after.push(() => {
          for (const row of recorded) this.pubSub.publish(ACTIVITY_RECORDED, workspaceId, activityEvent(row));
        });
      }
      return after;
    });

    await this.runAfterCommit(afterCommit);
    return results;
  }

  /**
   * The hooks for stored activities whose conversation status just moved
   * forward, inside the caller's transaction (which made the change): as for
   * a recording, a hook that may update the people gets them locked first.
   * Returns the work to run after the commit.
   */
  async statusChanged(tx: EntityManager, workspaceId: string, rows: readonly ActivityEntity[]): Promise<AfterCommit[]> {
    const batch = { workspaceId, activities: rows, reason: 'statusChanged' as const };
    const prepared: PreparedHook[] = [];
    for (const hook of this.hooks) prepared.push(await hook.prepare(tx, batch));
    if (prepared.some((hook) => hook.updatesPeople))
      await this.people.repository.lockForUpdate(
        tx,
        rows.map((row) => row.personId),
      );
    const after: AfterCommit[] = [];
    for (const hook of prepared) {
      const callback = await hook.recorded(batch);
      if (callback) after.push(callback);
    }
    return after;
  }

  /** After-commit work of a hook must not throw; if it does, it is logged, never answered. */
  async runAfterCommit(callbacks: readonly AfterCommit[]): Promise<void> {
    for (const callback of callbacks) {
      try {
        await callback();
      } catch (err) {
        this.log.error({ err }, 'after-commit work of a recorded activity failed');
      }
    }
  }

  // ------------------------------------------------------------ reads

  get(workspaceId: string, id: string): Promise<ActivityEntity | null> {
    return this.repository.get(workspaceId, id);
  }

  /** Batch load for DataLoaders, in key order. */
  getMany(workspaceId: string, ids: readonly string[]): Promise<Array<ActivityEntity | null>> {
    return this.repository.getMany(workspaceId, ids);
  }

  /** A page of a person's activities, newest first, keyset-paginated both ways (see ActivityRepository.timeline). */
  timeline(personId: string, options: TimelinePage): Promise<ActivityEntity[]> {
    return this.repository.timeline(personId, options);
  }

  /** The person (null if the workspace has none by that id) and a page of its timeline, with the page's chats, read together. */
  personPage(
    workspaceId: string,
    personId: string,
    options: TimelinePage,
  ): ReturnType<ActivityRepository['personPage']> {
    return this.repository.personPage(workspaceId, personId, options);
  }

  /**
   * The workspace's activities as they are recorded (one person's, when
   * given), after stream position `afterSeq` when given: the stored ones
   * first, then live, with none lost or repeated (see ReplayStream).
   */
  stream(workspaceId: string, personId: string | null, afterSeq: number | null): EventStream<ActivityEntity> {
    const stream = new ReplayStream<ActivityRecordedEvent>({
      live: this.pubSub.subscribe(ACTIVITY_RECORDED, workspaceId),
      publishSync: (marker: SyncMarker) => this.pubSub.publish(ACTIVITY_RECORDED, workspaceId, marker),
      source: {
        head: () => this.repository.streamHead(workspaceId),
        between: async (after, before, limit) =>
          (await this.repository.streamBetween(workspaceId, personId, after, before, limit)).map(activityEvent),
      },
      afterSeq,
      wants: personId === null ? undefined : (event) => event.activity.personId === personId,
      maxBuffered: this.options.maxPendingEvents,
    });
    return mapEvents(stream, activityFromEvent);
  }
}
