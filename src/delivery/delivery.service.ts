import type { DataSource, EntityManager } from 'typeorm';
import type { ActivityRecordedHook, AfterCommit, RecordedActivities } from '../activity/activity-hooks';
import { newId } from '../db/columns';
import { isMysql, placeholders } from '../db/sql';
import { inTransaction } from '../db/transaction';
import { MAX_URL, validEndpointUrl } from '../shared/url';
import { activityPayload, type PersonSummary } from './delivery.payload';
import { alreadyDelivered, DeliveryErrorReason, deliveryNotFound, settingsInputError } from './delivery.errors';
import {
  DELIVERY_COLUMNS,
  DeliveryKind,
  DeliveryStatus,
  toDeliveryRecord,
  type DeliveryRecord,
  type SalesInsightSettingsRecord,
} from './delivery.model';
import type { SecretBox } from './secret-box';

/** One delivery to write; see DeliveryService.enqueue. */
export interface EnqueueItem {
  workspaceId: string;
  kind: DeliveryKind;
  /** What caused it, shown on the Delivery and sent in the envelope. */
  activityId?: string | null;
  campaignRunId?: string | null;
  /** WEBHOOK only (required, http or https): the step's URL. The Sales Insight kinds go to the workspace's endpoint. */
  url?: string | null;
  /** Becomes `data` in the JSON body. */
  payload: Record<string, unknown>;
}

export interface SettingsInput {
  enabled: boolean;
  endpointUrl?: string | null;
  signingSecret?: string | null;
  activityTypes?: string[] | null;
}

/** What the worker needs to send to a workspace: where, and the key to sign with. */
export interface SendSettings {
  enabled: boolean;
  endpointUrl: string | null;
  /** In clear; never returned by the API, never logged. */
  signingSecret: string | null;
}

type HookSettings = SalesInsightSettingsRecord & { types: ReadonlySet<string> };

const MIN_SECRET = 16;
const MAX_SECRET = 512;
/** How long an instance trusts its copy of a workspace's settings on the write path (others' updates show within it). */
const SETTINGS_TTL_MS = 5_000;
const INSERT_CHUNK = 200;

/**
 * Sales Insight settings and the delivery outbox. Deliveries are written in
 * the transaction of what caused them (so they commit or roll back with it);
 * the worker (delivery.worker.ts) sends them.
 */
export class DeliveryService {
  private readonly cache = new Map<string, { settings: HookSettings; expiresAt: number }>();
  private wakeListener: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
  ) {}

  /** The worker of this process listens here. */
  onWake(listener: () => void): void {
    this.wakeListener = listener;
  }

  /** Tells this process's worker that deliveries were committed; other instances find them by polling. */
  wake = (): void => {
    this.wakeListener?.();
  };

  // ------------------------------------------------------------ settings

  async getSettings(
    workspaceId: string,
    db: DataSource | EntityManager = this.dataSource,
  ): Promise<SalesInsightSettingsRecord> {
    const rows = await db.query(
      'SELECT enabled, endpoint_url, signing_secret_enc, activity_types FROM sales_insight_settings WHERE workspace_id = ?',
      [workspaceId],
    );
    const row = rows[0];
    if (!row) return { enabled: false, endpointUrl: null, activityTypes: [], hasSigningSecret: false };
    return {
      enabled: Number(row.enabled) === 1,
      endpointUrl: row.endpoint_url ?? null,
      activityTypes: JSON.parse(row.activity_types) as string[],
      hasSigningSecret: row.signing_secret_enc != null,
    };
  }

  /** For the worker: read at send time, so a fixed endpoint or a new secret applies to pending deliveries too. Throws SecretKeyMismatchError. */
  async sendSettings(workspaceId: string): Promise<SendSettings> {
    const rows = await this.dataSource.query(
      'SELECT enabled, endpoint_url, signing_secret_enc FROM sales_insight_settings WHERE workspace_id = ?',
      [workspaceId],
    );
    const row = rows[0];
    if (!row) return { enabled: false, endpointUrl: null, signingSecret: null };
    return {
      enabled: Number(row.enabled) === 1,
      endpointUrl: row.endpoint_url ?? null,
      signingSecret: row.signing_secret_enc ? this.secrets.open(row.signing_secret_enc) : null,
    };
  }

  /**
   * Replaces the settings. `signingSecret` omitted or null keeps the stored
   * one, an empty string removes it; `activityTypes` omitted or null keeps the
   * stored list. Enabled settings need an endpoint and a signing secret.
   * Anything invalid stores nothing.
   */
  async updateSettings(workspaceId: string, input: SettingsInput): Promise<SalesInsightSettingsRecord> {
    const endpointUrl = input.endpointUrl == null || input.endpointUrl === '' ? null : input.endpointUrl;
    if (endpointUrl !== null && !validEndpointUrl(endpointUrl)) {
      throw settingsInputError(
        `endpointUrl must be an absolute http or https URL without credentials, at most ${MAX_URL} characters`,
        'endpointUrl',
        DeliveryErrorReason.ENDPOINT_URL_INVALID,
      );
    }
    if (input.enabled && endpointUrl === null) {
      throw settingsInputError(
        'endpointUrl is required when Sales Insight is enabled',
        'endpointUrl',
        DeliveryErrorReason.ENDPOINT_URL_REQUIRED,
      );
    }
    const secret = input.signingSecret;
    if (
      secret != null &&
      secret !== '' &&
      (secret.length < MIN_SECRET || secret.length > MAX_SECRET || secret.trim() !== secret)
    ) {
      throw settingsInputError(
        `signingSecret must be ${MIN_SECRET} to ${MAX_SECRET} characters, without leading or trailing spaces`,
        'signingSecret',
        DeliveryErrorReason.SIGNING_SECRET_INVALID,
      );
    }
    const now = Date.now();
    await inTransaction(this.dataSource, async (tx) => {
      // Insert-or-ignore first: two concurrent first updates cannot both INSERT; the row lock then orders them.
      await tx.query(
        `INSERT ${isMysql(tx) ? 'IGNORE' : 'OR IGNORE'} INTO sales_insight_settings (workspace_id, enabled, activity_types, updated_at) VALUES (?, 0, '[]', ?)`,
        [workspaceId, now],
      );
      const [current] = await tx.query(
        `SELECT signing_secret_enc, activity_types FROM sales_insight_settings WHERE workspace_id = ?${isMysql(tx) ? ' FOR UPDATE' : ''}`,
        [workspaceId],
      );
      let sealed: string | null = current.signing_secret_enc ?? null;
      if (secret === '') sealed = null;
      else if (secret != null) sealed = this.secrets.seal(secret);
      if (input.enabled && sealed === null) {
        throw settingsInputError(
          'signingSecret is required when Sales Insight is enabled',
          'signingSecret',
          DeliveryErrorReason.SIGNING_SECRET_REQUIRED,
        );
      }
      const types = input.activityTypes ? JSON.stringify([...new Set(input.activityTypes)]) : current.activity_types;
      await tx.query(
        'UPDATE sales_insight_settings SET enabled = ?, endpoint_url = ?, signing_secret_enc = ?, activity_types = ?, updated_at = ? WHERE workspace_id = ?',
        [input.enabled ? 1 : 0, endpointUrl, sealed, types, now, workspaceId],
      );
    });
    this.cache.delete(workspaceId);
    return this.getSettings(workspaceId);
  }

  private async hookSettings(tx: EntityManager, workspaceId: string): Promise<HookSettings> {
    const hit = this.cache.get(workspaceId);
    if (hit && hit.expiresAt > Date.now()) return hit.settings;
    const settings = await this.getSettings(workspaceId, tx);
    const value = { ...settings, types: new Set(settings.activityTypes) };
    this.cache.set(workspaceId, { settings: value, expiresAt: Date.now() + SETTINGS_TTL_MS });
    return value;
  }

  // ------------------------------------------------------------ outbox

  /**
   * Writes deliveries in the caller's transaction: they commit or roll back
   * with what caused them, and once committed none is lost (the worker sends
   * each at least once, retrying; receivers dedupe on X-Delivery-Id).
   *
   * This is the entry point for campaigns: a flow's INTERESTING_MOMENT step
   * enqueues `{ kind: INTERESTING_MOMENT, campaignRunId, activityId, payload }`
   * (sent to the Sales Insight endpoint; skipped while Sales Insight is
   * disabled), a WEBHOOK step `{ kind: WEBHOOK, url, campaignRunId,
   * activityId, payload }` (sent to `url`, which the campaign input must have
   * checked with `validEndpointUrl`). Call it inside the recording
   * transaction (an ActivityRecordedHook) and return `this.wake` as its
   * after-commit work so this instance sends at once.
   *
   * Each row stores the exact JSON body it will POST:
   * `{ deliveryId, kind, workspaceId, createdAt, activityId, campaignRunId, data: payload }`.
   * Returns the ids written, in item order (skipped items have none).
   */
  async enqueue(tx: EntityManager, items: readonly EnqueueItem[]): Promise<string[]> {
    const now = Date.now();
    const rows: unknown[][] = [];
    for (const item of items) {
      let url: string | null = null;
      if (item.kind === DeliveryKind.WEBHOOK) {
        if (!item.url || !validEndpointUrl(item.url))
          throw new Error(`a WEBHOOK delivery needs an http(s) url (got ${JSON.stringify(item.url)})`);
        url = item.url;
      } else {
        const settings = await this.hookSettings(tx, item.workspaceId);
        if (!settings.enabled) continue;
      }
      const id = newId();
      const body = JSON.stringify({
        deliveryId: id,
        kind: item.kind,
        workspaceId: item.workspaceId,
        createdAt: new Date(now).toISOString(),
        activityId: item.activityId ?? null,
        campaignRunId: item.campaignRunId ?? null,
        data: item.payload,
      });
      rows.push([
        id,
        item.workspaceId,
        item.kind,
        DeliveryStatus.PENDING,
        item.activityId ?? null,
        item.campaignRunId ?? null,
        url,
        body,
        0,
        now,
        now,
      ]);
    }
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      await tx.query(
        `INSERT INTO delivery (id, workspace_id, kind, status, activity_id, campaign_run_id, url, payload, attempts, next_attempt_at, created_at) VALUES ${chunk
          .map(() => `(${placeholders(11)})`)
          .join(', ')}`,
        chunk.flat(),
      );
    }
    return rows.map((r) => r[0] as string);
  }

  /** Joins the activity write transaction: one ACTIVITY delivery per RECORDED activity of a synced type. */
  readonly activityHook: ActivityRecordedHook = {
    // Reads people, never updates them.
    prepare: async (tx) => ({ updatesPeople: false, recorded: (recorded) => this.onRecorded(tx, recorded) }),
  };

  private async onRecorded(tx: EntityManager, recorded: RecordedActivities): Promise<AfterCommit | void> {
    const settings = await this.hookSettings(tx, recorded.workspaceId);
    if (!settings.enabled || settings.types.size === 0) return;
    const synced = recorded.activities.filter((a) => settings.types.has(a.type));
    if (synced.length === 0) return;
    const personIds = [...new Set(synced.map((a) => a.personId))];
    const people: PersonSummary[] = await tx.query(
      `SELECT id, email, first_name AS firstName, last_name AS lastName, company FROM person WHERE id IN (${placeholders(personIds.length)})`,
      personIds,
    );
    const personById = new Map(people.map((p) => [p.id, p]));
    await this.enqueue(
      tx,
      synced.map((a) => ({
        workspaceId: recorded.workspaceId,
        kind: DeliveryKind.ACTIVITY,
        activityId: a.id,
        payload: activityPayload(a, personById.get(a.personId)),
      })),
    );
    return this.wake;
  }

  // ------------------------------------------------------------ reads and retry

  /** Newest first, keyset before `beforeId`; up to first + 1 rows (the extra one tells there is a next page). */
  async list(
    workspaceId: string,
    args: { first: number; beforeId?: string | null; status?: DeliveryStatus | null; kind?: DeliveryKind | null },
  ): Promise<DeliveryRecord[]> {
    const where = ['workspace_id = ?'];
    const params: unknown[] = [workspaceId];
    if (args.status) {
      where.push('status = ?');
      params.push(args.status);
    }
    if (args.kind) {
      where.push('kind = ?');
      params.push(args.kind);
    }
    if (args.beforeId) {
      where.push('id < ?');
      params.push(args.beforeId);
    }
    // UUIDv7 ids are time-ordered: id desc is newest first, and a unique keyset on its own.
    const rows = await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM delivery WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ${Number(args.first) + 1}`,
      params,
    );
    return rows.map(toDeliveryRecord);
  }

  async get(workspaceId: string, id: string): Promise<DeliveryRecord | null> {
    const rows = await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM delivery WHERE workspace_id = ? AND id = ?`,
      [workspaceId, id],
    );
    return rows[0] ? toDeliveryRecord(rows[0]) : null;
  }

  /**
   * A DEAD delivery starts a new round: PENDING, due now, attempts back to 0
   * (lastError stays until the next attempt). A PENDING one is made due now,
   * keeping its count (one being sent right now just finishes). A DELIVERED
   * one is a CONFLICT.
   */
  async retry(workspaceId: string, id: string): Promise<DeliveryRecord> {
    const existing = await this.get(workspaceId, id);
    if (!existing) throw deliveryNotFound(id);
    if (existing.status === DeliveryStatus.DELIVERED) throw alreadyDelivered(id);
    // attempts is assigned before status: MySQL evaluates SET left to right with the new values, SQLite with the old ones.
    await this.dataSource.query(
      `UPDATE delivery SET attempts = CASE WHEN status = ? THEN 0 ELSE attempts END, status = ?, next_attempt_at = ?
        WHERE workspace_id = ? AND id = ? AND status <> ?`,
      [DeliveryStatus.DEAD, DeliveryStatus.PENDING, Date.now(), workspaceId, id, DeliveryStatus.DELIVERED],
    );
    this.wake();
    return (await this.get(workspaceId, id))!;
  }
}
