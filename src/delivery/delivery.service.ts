import type { DataSource, EntityManager } from 'typeorm';
import type { ActivityRecordedHook } from '../activity/activity-hooks';
import { ActivityEntity, ChatActivityType } from '../activity/activity.entity';
import { newId } from '../db/columns';
import { placeholders } from '../db/sql';
import { decodeAfter } from '../graphql/connection';
import { encodeCursor } from '../graphql/cursor';
import type { Logger } from '../logger';
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

export interface EnqueueItem {
  workspaceId: string;
  kind: DeliveryKind;
  activityId?: string | null;
  campaignRunId?: string | null;
  /** WEBHOOK: required. ACTIVITY / INTERESTING_MOMENT: defaults to the workspace's Sales Insight endpoint. */
  url?: string;
  payload: Record<string, unknown>;
}

export interface SettingsInput {
  enabled: boolean;
  endpointUrl?: string | null;
  signingSecret?: string | null;
  activityTypes?: string[] | null;
}

interface CachedSettings {
  settings: SalesInsightSettingsRecord & { types: ReadonlySet<string> };
  expiresAt: number;
}

const MAX_URL = 2048;
const MAX_SECRET = 512;
const SETTINGS_TTL_MS = 5_000;
const INSERT_CHUNK = 200;

export function validEndpointUrl(url: string): boolean {
  if (url.length > MAX_URL) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The JSON an ACTIVITY delivery carries for one activity (type-specific fields only when set). */
export function activityPayload(row: ActivityEntity): Record<string, unknown> {
  const iso = (d: Date | null | undefined) => (d == null ? undefined : new Date(d).toISOString());
  const optional: Record<string, unknown> = {
    prompt: row.prompt,
    agentId: row.agentId,
    agentName: row.agentName,
    documentId: row.documentId,
    documentName: row.documentName,
    documentUrl: row.documentUrl,
    goal: row.goal,
    meetingStartsAt: iso(row.meetingStartsAt),
    meetingDurationMinutes: row.meetingDurationMinutes,
    meetingStatus: row.meetingStatus,
  };
  return {
    id: row.id,
    type: row.type,
    personId: row.personId,
    visitorId: row.visitorId,
    sessionId: row.sessionId,
    occurredAt: iso(row.occurredAt),
    recordedAt: iso(row.recordedAt),
    chat: { kind: row.chatKind, id: row.chatId, name: row.chatName },
    pageUrl: row.pageUrl ?? undefined,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v != null)),
  };
}

/**
 * Sales Insight settings and the delivery outbox. Rows are written in the
 * caller's transaction (so they commit with what caused them); the worker
 * (delivery.worker.ts) POSTs them.
 */
export class DeliveryService {
  private readonly cache = new Map<string, CachedSettings>();
  private wakeListener: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
    private readonly log: Logger,
  ) {}

  /** The worker listens here; called after a commit that enqueued something. */
  onWake(listener: () => void): void {
    this.wakeListener = listener;
  }

  /** Tells the worker that deliveries were committed (return it as an AfterCommit). */
  wake = (): void => {
    this.wakeListener?.();
  };

  // ------------------------------------------------------------ settings

  async getSettings(workspaceId: string, db: DataSource | EntityManager = this.dataSource): Promise<SalesInsightSettingsRecord> {
    const rows = await db.query('SELECT enabled, endpoint_url, signing_secret_enc, activity_types FROM sales_insight_settings WHERE workspace_id = ?', [
      workspaceId,
    ]);
    const row = rows[0];
    if (!row) return { enabled: false, endpointUrl: null, activityTypes: [], hasSigningSecret: false };
    return {
      enabled: Number(row.enabled) === 1,
      endpointUrl: row.endpoint_url ?? null,
      activityTypes: JSON.parse(row.activity_types) as string[],
      hasSigningSecret: row.signing_secret_enc != null,
    };
  }

  /** The signing secret in clear, for the worker only (never returned by the API, never logged). */
  async signingSecret(workspaceId: string): Promise<string | null> {
    const rows = await this.dataSource.query('SELECT signing_secret_enc FROM sales_insight_settings WHERE workspace_id = ?', [workspaceId]);
    const sealed = rows[0]?.signing_secret_enc as string | null | undefined;
    return sealed ? this.secrets.open(sealed) : null;
  }

  /**
   * Replaces the settings. `signingSecret` omitted or null keeps the stored
   * one; an empty string removes it. `activityTypes` omitted keeps the stored list.
   */
  async updateSettings(workspaceId: string, input: SettingsInput): Promise<SalesInsightSettingsRecord> {
    const endpointUrl = input.endpointUrl == null || input.endpointUrl === '' ? null : input.endpointUrl;
    if (endpointUrl !== null && !validEndpointUrl(endpointUrl)) {
      throw settingsInputError(`endpointUrl must be an http or https URL of at most ${MAX_URL} characters`, 'endpointUrl', DeliveryErrorReason.ENDPOINT_URL_INVALID);
    }
    if (input.enabled && endpointUrl === null) {
      throw settingsInputError('endpointUrl is required when Sales Insight is enabled', 'endpointUrl', DeliveryErrorReason.ENDPOINT_URL_REQUIRED);
    }
    if (input.signingSecret != null && input.signingSecret.length > MAX_SECRET) {
      throw settingsInputError(`signingSecret must be at most ${MAX_SECRET} characters`, 'signingSecret', DeliveryErrorReason.SIGNING_SECRET_INVALID);
    }
    const allowed = new Set<string>(Object.values(ChatActivityType));
    if (input.activityTypes && input.activityTypes.some((t) => !allowed.has(t))) {
      throw settingsInputError('activityTypes holds an unknown type', 'activityTypes', DeliveryErrorReason.ACTIVITY_TYPES_INVALID);
    }
    const current = await this.getSettings(workspaceId);
    const types = input.activityTypes ? [...new Set(input.activityTypes)] : current.activityTypes;
    const now = Date.now();
    await this.dataSource.transaction(async (tx) => {
      const existing = await tx.query('SELECT signing_secret_enc FROM sales_insight_settings WHERE workspace_id = ?', [workspaceId]);
      let sealed: string | null = existing[0]?.signing_secret_enc ?? null;
      if (input.signingSecret === '') sealed = null;
      else if (input.signingSecret != null) sealed = this.secrets.seal(input.signingSecret);
      const values = [input.enabled ? 1 : 0, endpointUrl, sealed, JSON.stringify(types), now];
      if (existing.length > 0) {
        await tx.query(
          'UPDATE sales_insight_settings SET enabled = ?, endpoint_url = ?, signing_secret_enc = ?, activity_types = ?, updated_at = ? WHERE workspace_id = ?',
          [...values, workspaceId],
        );
      } else {
        await tx.query(
          'INSERT INTO sales_insight_settings (enabled, endpoint_url, signing_secret_enc, activity_types, updated_at, workspace_id) VALUES (?, ?, ?, ?, ?, ?)',
          [...values, workspaceId],
        );
      }
    });
    this.cache.delete(workspaceId);
    return this.getSettings(workspaceId);
  }

  /** Settings cached per workspace: this process drops its entry on update; other instances see changes within the TTL. */
  private async cachedSettings(tx: EntityManager, workspaceId: string): Promise<CachedSettings['settings']> {
    const hit = this.cache.get(workspaceId);
    if (hit && hit.expiresAt > Date.now()) return hit.settings;
    const settings = await this.getSettings(workspaceId, tx);
    const value = { ...settings, types: new Set(settings.activityTypes) };
    this.cache.set(workspaceId, { settings: value, expiresAt: Date.now() + SETTINGS_TTL_MS });
    return value;
  }

  // ------------------------------------------------------------ outbox

  /**
   * Writes deliveries in the caller's transaction (multi-row INSERTs). Items
   * without a url go to the workspace's Sales Insight endpoint and are skipped
   * when Sales Insight is disabled. Returns the ids written; return
   * `deliveryService.wake` from the transaction as after-commit work so the
   * worker sends them at once.
   */
  async enqueue(tx: EntityManager, items: readonly EnqueueItem[]): Promise<string[]> {
    const now = Date.now();
    const rows: unknown[][] = [];
    for (const item of items) {
      let url = item.url;
      if (!url) {
        if (item.kind === DeliveryKind.WEBHOOK) throw new Error('a WEBHOOK delivery needs a url');
        const settings = await this.cachedSettings(tx, item.workspaceId);
        if (!settings.enabled || !settings.endpointUrl) continue;
        url = settings.endpointUrl;
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
      rows.push([id, item.workspaceId, item.kind, DeliveryStatus.PENDING, item.activityId ?? null, item.campaignRunId ?? null, url, body, 0, now, now]);
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

  /** Joins the activity write transaction: ACTIVITY deliveries for the types the workspace syncs. */
  readonly activityHook: ActivityRecordedHook = async (tx, recorded) => {
    const settings = await this.cachedSettings(tx, recorded.workspaceId);
    if (!settings.enabled || !settings.endpointUrl || settings.types.size === 0) return;
    const items = recorded.activities
      .filter((a) => settings.types.has(a.type))
      .map((a) => ({ workspaceId: recorded.workspaceId, kind: DeliveryKind.ACTIVITY, activityId: a.id, url: settings.endpointUrl!, payload: activityPayload(a) }));
    if (items.length === 0) return;
    await this.enqueue(tx, items);
    return this.wake;
  };

  // ------------------------------------------------------------ reads and retry

  async list(
    workspaceId: string,
    args: { first: number; after?: string | null; status?: DeliveryStatus | null; kind?: DeliveryKind | null },
  ): Promise<{ rows: DeliveryRecord[]; hadCursor: boolean }> {
    const cursor = decodeAfter<[string]>(args.after, ['string']);
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
    if (cursor) {
      where.push('id < ?');
      params.push(cursor[0]);
    }
    // UUIDv7 ids are time-ordered: id desc is newest first, and a unique keyset on its own.
    const rows = await this.dataSource.query(`SELECT ${DELIVERY_COLUMNS} FROM delivery WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`, [
      ...params,
      args.first + 1,
    ]);
    return { rows: rows.map(toDeliveryRecord), hadCursor: cursor !== null };
  }

  cursorOf(record: DeliveryRecord): string {
    return encodeCursor([record.id]);
  }

  async get(workspaceId: string, id: string): Promise<DeliveryRecord | null> {
    const rows = await this.dataSource.query(`SELECT ${DELIVERY_COLUMNS} FROM delivery WHERE workspace_id = ? AND id = ?`, [workspaceId, id]);
    return rows[0] ? toDeliveryRecord(rows[0]) : null;
  }

  /**
   * A DEAD or PENDING delivery becomes PENDING, due now, with attempts reset
   * to 0 (a full new round of retries); last_error stays until the next
   * attempt. A DELIVERED one is a CONFLICT.
   */
  async retry(workspaceId: string, id: string): Promise<DeliveryRecord> {
    const existing = await this.get(workspaceId, id);
    if (!existing) throw deliveryNotFound(id);
    if (existing.status === DeliveryStatus.DELIVERED) throw alreadyDelivered(id);
    await this.dataSource.query(
      `UPDATE delivery SET status = ?, attempts = 0, next_attempt_at = ? WHERE workspace_id = ? AND id = ? AND status <> ?`,
      [DeliveryStatus.PENDING, Date.now(), workspaceId, id, DeliveryStatus.DELIVERED],
    );
    this.wake();
    const updated = await this.get(workspaceId, id);
    return updated!;
  }

  /** For the per-request Delivery.activity loader: activities of one workspace by id. */
  async activitiesByIds(workspaceId: string, ids: readonly string[]): Promise<Map<string, ActivityEntity>> {
    if (ids.length === 0) return new Map();
    const rows = await this.dataSource
      .getRepository(ActivityEntity)
      .createQueryBuilder('a')
      .where('a.workspaceId = :workspaceId AND a.id IN (:...ids)', { workspaceId, ids: [...ids] })
      .getMany();
    return new Map(rows.map((r) => [r.id, r]));
  }
}
