import type { EntityManager } from 'typeorm';
import type { ActivityRecordedHook, AfterCommit, RecordedActivities } from '../activity/activity-hooks';
import type { ChatActivityType } from '../activity/activity.entity';
import { newId } from '../db/columns';
import { outboundUrlProblem, type OutboundPolicy } from '../shared/outbound';
import { inKeyOrder } from '../shared/batch';
import { MAX_URL, validEndpointUrl } from '../shared/url';
import { activityPayload } from './delivery.payload';
import { alreadyDelivered, DeliveryErrorReason, deliveryNotFound, settingsInputError } from './delivery.errors';
import { DeliveryEntity } from './delivery.entity';
import { DeliveryKind, DeliveryStatus } from './delivery.model';
import type { DeliveryRepository } from './delivery.repository';
import { SalesInsightSettingsEntity } from './sales-insight-settings.entity';
import type { SecretBox } from '../shared/secret-box';

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
  activityTypes?: ChatActivityType[] | null;
}

/** What the worker needs to send to a workspace: where, and the key to sign with. */
export interface SendSettings {
  enabled: boolean;
  endpointUrl: string | null;
  /** In clear; never returned by the API, never logged. */
  signingSecret: string | null;
}

type HookSettings = SalesInsightSettingsEntity & { types: ReadonlySet<string> };

const MIN_SECRET = 16;
const MAX_SECRET = 512;
/** How long an instance trusts its copy of a workspace's settings on the write path (others' updates show within it). */
const SETTINGS_TTL_MS = 5_000;

/** A workspace that never saved settings: Sales Insight off. */
const defaultSettings = (workspaceId: string): SalesInsightSettingsEntity =>
  Object.assign(new SalesInsightSettingsEntity(), {
    workspaceId,
    enabled: false,
    endpointUrl: null,
    signingSecretEnc: null,
    activityTypes: [],
  });

/**
 * Sales Insight settings and the delivery outbox. Deliveries are written in
 * the transaction of what caused them (so they commit or roll back with it);
 * the worker (delivery.worker.ts) sends them.
 */
export class DeliveryService {
  private readonly cache = new Map<string, { settings: HookSettings; expiresAt: number }>();
  private wakeListener: (() => void) | undefined;

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly secrets: SecretBox,
    private readonly outbound: OutboundPolicy,
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

  /** The stored settings (the signing secret sealed: the API layer shows none of it). */
  async getSettings(workspaceId: string, tx?: EntityManager): Promise<SalesInsightSettingsEntity> {
    return (await this.deliveries.settings(workspaceId, tx)) ?? defaultSettings(workspaceId);
  }

  /** For the worker: read at send time, so a fixed endpoint or a new secret applies to pending deliveries too. Throws SecretKeyMismatchError. */
  async sendSettings(workspaceId: string): Promise<SendSettings> {
    const settings = await this.getSettings(workspaceId);
    return {
      enabled: settings.enabled,
      endpointUrl: settings.endpointUrl,
      signingSecret: settings.signingSecretEnc ? this.secrets.open(settings.signingSecretEnc) : null,
    };
  }

  /**
   * Replaces the settings. `signingSecret` omitted or null keeps the stored
   * one, an empty string removes it; `activityTypes` omitted or null keeps the
   * stored list. Enabled settings need an endpoint and a signing secret.
   * Anything invalid stores nothing.
   */
  async updateSettings(workspaceId: string, input: SettingsInput): Promise<SalesInsightSettingsEntity> {
    const endpointUrl = input.endpointUrl == null || input.endpointUrl === '' ? null : input.endpointUrl;
    if (endpointUrl !== null && !validEndpointUrl(endpointUrl)) {
      throw settingsInputError(
        `endpointUrl must be an absolute http or https URL without credentials, at most ${MAX_URL} characters`,
        'endpointUrl',
        DeliveryErrorReason.ENDPOINT_URL_INVALID,
      );
    }
    const refused = endpointUrl === null ? null : outboundUrlProblem(endpointUrl, this.outbound);
    if (refused) {
      throw settingsInputError(
        `endpointUrl ${refused}: the server only posts to public addresses`,
        'endpointUrl',
        DeliveryErrorReason.ENDPOINT_URL_NOT_ALLOWED,
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
    await this.deliveries.updateSettings(workspaceId, (current) => {
      let sealed = current.signingSecretEnc;
      if (secret === '') sealed = null;
      else if (secret != null) sealed = this.secrets.seal(secret);
      if (input.enabled && sealed === null) {
        throw settingsInputError(
          'signingSecret is required when Sales Insight is enabled',
          'signingSecret',
          DeliveryErrorReason.SIGNING_SECRET_REQUIRED,
        );
      }
      return {
        enabled: input.enabled,
        endpointUrl,
        signingSecretEnc: sealed,
        activityTypes: input.activityTypes ? [...new Set(input.activityTypes)] : current.activityTypes,
      };
    });
    this.cache.delete(workspaceId);
    return this.getSettings(workspaceId);
  }

  private async hookSettings(tx: EntityManager, workspaceId: string): Promise<HookSettings> {
    const hit = this.cache.get(workspaceId);
    if (hit && hit.expiresAt > Date.now()) return hit.settings;
    const settings = await this.getSettings(workspaceId, tx);
    const value = Object.assign(settings, { types: new Set<string>(settings.activityTypes) });
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
    const now = new Date();
    const rows: DeliveryEntity[] = [];
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
      const activityId = item.activityId ?? null;
      const campaignRunId = item.campaignRunId ?? null;
      const payload = JSON.stringify({
        deliveryId: id,
        kind: item.kind,
        workspaceId: item.workspaceId,
        createdAt: now.toISOString(),
        activityId,
        campaignRunId,
        data: item.payload,
      });
      rows.push(
        Object.assign(new DeliveryEntity(), {
          id,
          workspaceId: item.workspaceId,
          kind: item.kind,
          status: DeliveryStatus.PENDING,
          activityId,
          campaignRunId,
          url,
          payload,
          attempts: 0,
          nextAttemptAt: now,
          createdAt: now,
        }),
      );
    }
    await this.deliveries.insert(tx, rows);
    return rows.map((r) => r.id);
  }

  /** Joins the activity write transaction: one ACTIVITY delivery per RECORDED activity of a synced type. */
  readonly activityHook: ActivityRecordedHook = {
    // Reads people, never updates them.
    prepare: (tx) => Promise.resolve({ updatesPeople: false, recorded: (recorded) => this.onRecorded(tx, recorded) }),
  };

  private async onRecorded(tx: EntityManager, recorded: RecordedActivities): Promise<AfterCommit | void> {
    const settings = await this.hookSettings(tx, recorded.workspaceId);
    if (!settings.enabled || settings.types.size === 0) return;
    const synced = recorded.activities.filter((a) => settings.types.has(a.type));
    if (synced.length === 0) return;
    const people = await this.deliveries.people(tx, [...new Set(synced.map((a) => a.personId))]);
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
  ): Promise<DeliveryEntity[]> {
    return this.deliveries.list(workspaceId, { ...args, limit: Number(args.first) + 1 });
  }

  async get(workspaceId: string, id: string): Promise<DeliveryEntity | null> {
    return this.deliveries.get(workspaceId, id);
  }

  /** Batch load for DataLoaders, in key order, null for unknown or foreign ids. */
  async getMany(workspaceId: string, ids: readonly string[]): Promise<Array<DeliveryEntity | null>> {
    return inKeyOrder(ids, await this.deliveries.getMany(workspaceId, ids));
  }

  /**
   * A DEAD delivery starts a new round: PENDING, due now, attempts back to 0
   * (lastError stays until the next attempt). A PENDING one is made due now,
   * keeping its count (one being sent right now just finishes). A DELIVERED
   * one is a CONFLICT.
   */
  async retry(workspaceId: string, id: string): Promise<DeliveryEntity> {
    const existing = await this.get(workspaceId, id);
    if (!existing) throw deliveryNotFound(id);
    if (existing.status === DeliveryStatus.DELIVERED) throw alreadyDelivered(id);
    await this.deliveries.retry(workspaceId, id);
    this.wake();
    return (await this.get(workspaceId, id))!;
  }
}
