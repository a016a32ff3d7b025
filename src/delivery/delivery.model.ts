export enum DeliveryKind {
  ACTIVITY = 'ACTIVITY',
  INTERESTING_MOMENT = 'INTERESTING_MOMENT',
  WEBHOOK = 'WEBHOOK',
}

export enum DeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  DEAD = 'DEAD',
}

/** One outbox row, as the service hands it out. */
export interface DeliveryRecord {
  id: string;
  workspaceId: string;
  kind: DeliveryKind;
  status: DeliveryStatus;
  activityId: string | null;
  campaignRunId: string | null;
  /** WEBHOOK only; the Sales Insight kinds use the endpoint configured at send time. */
  url: string | null;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

export interface SalesInsightSettingsRecord {
  enabled: boolean;
  endpointUrl: string | null;
  activityTypes: string[];
  hasSigningSecret: boolean;
}

const ms = (v: unknown): Date | null => (v == null ? null : new Date(Number(v)));

export function toDeliveryRecord(row: Record<string, unknown>): DeliveryRecord {
  return {
    id: row.id as string,
    workspaceId: row.workspace_id as string,
    kind: row.kind as DeliveryKind,
    status: row.status as DeliveryStatus,
    activityId: (row.activity_id as string | null) ?? null,
    campaignRunId: (row.campaign_run_id as string | null) ?? null,
    url: (row.url as string | null) ?? null,
    attempts: Number(row.attempts),
    lastError: (row.last_error as string | null) ?? null,
    nextAttemptAt: ms(row.next_attempt_at),
    deliveredAt: ms(row.delivered_at),
    createdAt: ms(row.created_at)!,
  };
}

export const DELIVERY_COLUMNS =
  'id, workspace_id, kind, status, activity_id, campaign_run_id, url, attempts, last_error, next_attempt_at, delivered_at, created_at';
