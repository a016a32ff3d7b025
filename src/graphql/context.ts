import { randomUUID } from 'node:crypto';
import type { AuthInfo, AuthResult } from '../auth/api-key.service';
import { missingScope, unauthenticated } from '../auth/auth.errors';
import type { Scope } from '../auth/scope';
import type { Logger } from '../shared/logger';
import type { DataSource } from 'typeorm';
import type { ActivityService } from '../activity/activity.service';
import type { ApiKeyService } from '../auth/api-key.service';
import type { CampaignService } from '../campaign/campaign.service';
import type { CatalogService } from '../catalog/catalog.service';
import type { Config } from '../config';
import type { DeliveryService } from '../delivery/delivery.service';
import type { IdentityService } from '../identity/identity.service';
import type { PersonService } from '../person/person.service';
import type { AppPubSub } from './topics';
import type { RateLimits } from '../shared/rate-limit';
import type { SmartListService } from '../smart-list/smart-list.service';
import type { ConversationService } from '../conversation/conversation.service';
import type { WorkspaceSettingsService } from '../workspace/workspace-settings.service';

/**
 * The application's services, built once per process and handed to resolvers
 * through the request context (resolvers stay thin: arguments in, service out).
 */
export interface Services {
  config: Config;
  dataSource: DataSource;
  pubSub: AppPubSub;
  log: Logger;
  apiKeys: ApiKeyService;
  people: PersonService;
  catalog: CatalogService;
  activities: ActivityService;
  smartLists: SmartListService;
  campaigns: CampaignService;
  deliveries: DeliveryService;
  identity: IdentityService;
  workspaceSettings: WorkspaceSettingsService;
  conversations: ConversationService;
  rateLimits: RateLimits;
}

/** Per-operation context, the same shape on HTTP and on graphql-ws. */
export class RequestContext {
  readonly log: Logger;
  private readonly loaders = new Map<unknown, unknown>();

  constructor(
    readonly services: Services,
    readonly requestId: string,
    private readonly authResult: AuthResult,
    /** Asks again whether the caller's key is still valid (graphql-ws: a subscription outlives many requests). */
    private readonly reauthenticate?: () => Promise<AuthResult>,
  ) {
    this.log = services.log.child({ requestId });
  }

  get auth(): AuthInfo | null {
    return this.authResult.ok ? this.authResult.auth : null;
  }

  /**
   * A per-request memo (typically a DataLoader): created on first use, shared
   * by every resolver of this operation, dropped with it, so nothing cached
   * outlives the request or crosses workspaces.
   */
  loader<T>(key: unknown, create: () => T): T {
    let value = this.loaders.get(key) as T | undefined;
    if (value === undefined) {
      value = create();
      this.loaders.set(key, value);
    }
    return value;
  }

  /**
   * The caller's key checked again (cheap: the key cache): a subscription
   * asks before each event, so a key revoked while subscribed stops
   * receiving.
   */
  async recheckAuth(): Promise<AuthResult> {
    return this.reauthenticate ? this.reauthenticate() : this.authResult;
  }

  /** The same caller with `auth` and fresh per-operation memos, for executing one event of a subscription. */
  forEvent(auth: AuthResult): RequestContext {
    return new RequestContext(this.services, this.requestId, auth, this.reauthenticate);
  }

  /**
   * What resolvers may read of the caller (its workspace and scopes): two
   * subscribers with the same key here get the same answer to the same
   * operation, so one execution can serve both (shared-subscribe.ts).
   */
  shareKey(): string {
    if (!this.authResult.ok) return `unauthenticated:${this.authResult.reason}`;
    const { workspaceId, scopes } = this.authResult.auth;
    return `${workspaceId}:${[...scopes].sort().join(',')}`;
  }

  /** The caller's identity, which must hold `scope` (FORBIDDEN otherwise). For places @Authorized does not reach, e.g. a subscription's topic. */
  requireScope(scope: Scope): AuthInfo {
    const auth = this.requireAuth();
    if (!auth.scopes.has(scope)) throw missingScope([scope]);
    return auth;
  }

  /** The caller's identity; throws UNAUTHENTICATED when the key is missing, unknown or revoked. */
  requireAuth(): AuthInfo {
    if (this.authResult.ok) return this.authResult.auth;
    throw unauthenticated(this.authResult.reason);
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Honour a sane incoming X-Request-Id (from a proxy) so logs correlate; otherwise make one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}
