import { hash, randomBytes } from 'node:crypto';
import { inKeyOrder } from '../shared/batch';
import { AppError, ErrorCode, UserInputError } from '../shared/errors';
import { newId } from '../db/columns';
import { ApiKeyEntity } from './api-key.entity';
import type { ApiKeyRepository } from './api-key.repository';
import { AuthErrorReason, lastManageKey, scopeEscalation, type AuthFailure } from './auth.errors';
import { parseAllowedOrigins } from './origins';
import { ALL_SCOPES, Scope } from './scope';
import { IdentityVerification, WorkspaceEntity } from './workspace.entity';
import type { WorkspaceRepository } from './workspace.repository';

/** Who is calling: resolved from the API key on every HTTP request and WebSocket operation. */
export interface AuthInfo {
  workspaceId: string;
  apiKeyId: string;
  scopes: ReadonlySet<Scope>;
  /** Browser origins the key may be used from; null: any (see origins.ts). */
  allowedOrigins: readonly string[] | null;
}

export type AuthResult = { ok: true; auth: AuthInfo } | { ok: false; reason: AuthFailure };

/** Prefix makes leaked keys easy to spot by secret scanners; 32 random bytes = 256 bits. */
const SECRET_PREFIX = 'dca_';
const MIN_BOOTSTRAP_SECRET_LENGTH = 24;
/** lastUsedAt is informative; writing it on every request would turn each read into a write. */
const LAST_USED_RESOLUTION_MS = 60_000;
const MAX_CACHED_KEYS = 10_000;

export const hashSecret = (secret: string): string => hash('sha256', secret, 'hex');
export const generateSecret = (): string => SECRET_PREFIX + randomBytes(32).toString('base64url');

export function parseBearer(header: string | undefined | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

const newWorkspace = (name: string): WorkspaceEntity =>
  Object.assign(new WorkspaceEntity(), {
    id: newId(),
    name,
    createdAt: new Date(),
    identityVerification: IdentityVerification.OPTIONAL,
    identitySecretEnc: null,
    identitySecretRotatedAt: null,
    timeZone: 'UTC',
  });

export interface BootstrapResult {
  /** Set only when this start created the workspace: the admin secret, to print once. */
  createdSecret?: string;
  workspaceId?: string;
}

export class ApiKeyService {
  /** Valid keys by secret hash: every request authenticates, and a database round trip each time would cap throughput. */
  private readonly cache = new Map<string, { key: ApiKeyEntity; auth: AuthInfo; expires: number }>();
  /** Database lookups in flight, by secret hash: concurrent callers of an uncached key share one. */
  private readonly lookups = new Map<string, Promise<AuthResult>>();

  /**
   * @param cacheTtlMs how long a valid key is trusted without asking the
   * database. Revocation is immediate on the instance that revokes and takes
   * at most this long on the others. 0 disables the cache.
   */
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly workspaces: WorkspaceRepository,
    private readonly cacheTtlMs = 5_000,
  ) {}

  /** The caller of a key still in this instance's cache, without any lookup; undefined otherwise. */
  cached(secret: string | null | undefined): AuthResult | undefined {
    if (!secret) return undefined;
    const cached = this.cache.get(hashSecret(secret));
    return cached && cached.expires > Date.now() ? { ok: true, auth: cached.auth } : undefined;
  }

  async authenticate(secret: string | null | undefined): Promise<AuthResult> {
    if (!secret) return { ok: false, reason: AuthErrorReason.API_KEY_MISSING };
    const hash = hashSecret(secret);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.expires > now) {
      this.touch(cached.key, now);
      return { ok: true, auth: cached.auth };
    }
    // One database lookup per key at a time: when a cached key expires, every caller holding it (1 000
    // subscribers re-checking on one event, 64 HTTP clients) would otherwise query at once and stall them all.
    let lookup = this.lookups.get(hash);
    if (!lookup) {
      const isCurrent = () => this.lookups.get(hash) === started;
      const started: Promise<AuthResult> = this.lookup(hash, isCurrent).finally(() => {
        if (isCurrent()) this.lookups.delete(hash);
      });
      this.lookups.set(hash, (lookup = started));
    }
    return lookup;
  }

  /** `isCurrent` is false once a revoke on this instance dropped this lookup. */
  private async lookup(hash: string, isCurrent: () => boolean): Promise<AuthResult> {
    const key = await this.keys.bySecretHash(hash);
    if (!key) return { ok: false, reason: AuthErrorReason.API_KEY_INVALID };
    if (key.revokedAt) {
      this.cache.delete(hash);
      return { ok: false, reason: AuthErrorReason.API_KEY_REVOKED };
    }
    const now = Date.now();
    const auth: AuthInfo = {
      workspaceId: key.workspaceId,
      apiKeyId: key.id,
      scopes: new Set(key.scopes),
      allowedOrigins: key.allowedOrigins,
    };
    // A revoke on this instance while the row was read drops the lookup: its answer must not be cached.
    if (this.cacheTtlMs > 0 && isCurrent()) {
      if (this.cache.size >= MAX_CACHED_KEYS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(hash, { key, auth, expires: now + this.cacheTtlMs });
    }
    this.touch(key, now);
    return { ok: true, auth };
  }

  private touch(key: ApiKeyEntity, now: number): void {
    if (key.lastUsedAt && now - key.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
    key.lastUsedAt = new Date(now);
    // Fire and forget: a lost update of a usage timestamp must not fail the request.
    this.keys.markUsed(key.id, key.lastUsedAt).catch(() => undefined);
  }

  async list(workspaceId: string): Promise<ApiKeyEntity[]> {
    return this.keys.list(workspaceId);
  }

  async get(workspaceId: string, id: string): Promise<ApiKeyEntity | null> {
    return this.keys.get(workspaceId, id);
  }

  /** Batch load for DataLoaders, in key order, null for unknown or foreign ids. */
  async getMany(workspaceId: string, ids: readonly string[]): Promise<Array<ApiKeyEntity | null>> {
    return inKeyOrder(ids, await this.keys.getMany(workspaceId, ids));
  }

  /**
   * A new key of the workspace, granted by a key holding `grantorScopes`: it
   * can only grant scopes it holds itself, so a MANAGE-only key cannot mint
   * READ.
   */
  async create(
    workspaceId: string,
    name: string,
    scopes: readonly Scope[],
    options: { grantorScopes: ReadonlySet<Scope>; allowedOrigins?: readonly string[] | null },
  ): Promise<{ apiKey: ApiKeyEntity; secret: string }> {
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > 255) {
      throw new UserInputError('name must be 1..255 characters', ['name'], AuthErrorReason.API_KEY_NAME_INVALID);
    }
    const unique = [...new Set(scopes)];
    if (unique.length === 0) {
      throw new UserInputError(
        'scopes must name at least one scope',
        ['scopes'],
        AuthErrorReason.API_KEY_SCOPES_INVALID,
      );
    }
    const beyond = unique.filter((scope) => !options.grantorScopes.has(scope));
    if (beyond.length > 0) throw scopeEscalation(beyond);
    const allowedOrigins = parseAllowedOrigins(options.allowedOrigins, ['allowedOrigins']);
    const secret = generateSecret();
    const apiKey = this.newKey(workspaceId, trimmed, unique, secret, allowedOrigins);
    await this.keys.insert(apiKey);
    return { apiKey, secret };
  }

  /** Replaces a key's origin allow-list (null or empty: any origin); effective at once on this instance. */
  async setAllowedOrigins(workspaceId: string, id: string, origins: readonly string[] | null): Promise<ApiKeyEntity> {
    const key = await this.get(workspaceId, id);
    if (!key) throw keyNotFound(id);
    key.allowedOrigins = parseAllowedOrigins(origins, ['allowedOrigins']);
    await this.keys.setAllowedOrigins(key.id, key.allowedOrigins);
    this.forget(key);
    return key;
  }

  /**
   * Revokes a key; the workspace's last active key holding MANAGE cannot be
   * revoked (CONFLICT), even by two concurrent revokes of its last two.
   */
  async revoke(workspaceId: string, id: string): Promise<ApiKeyEntity> {
    const outcome = await this.keys.revokeUnlessLastManager(workspaceId, id, new Date());
    if (outcome === 'not-found') throw keyNotFound(id);
    if (outcome === 'last-manager') throw lastManageKey();
    this.forget(outcome);
    return outcome;
  }

  /** Drops a key from this instance's cache (a change takes effect at once here, within the cache TTL elsewhere). */
  private forget(key: ApiKeyEntity): void {
    this.cache.delete(key.secretHash);
    this.lookups.delete(key.secretHash);
  }

  /**
   * On an empty database: create the first workspace and an admin key with
   * every scope. The secret is BOOTSTRAP_API_KEY when given, else random.
   */
  async bootstrap(fixedSecret?: string): Promise<BootstrapResult> {
    if (fixedSecret !== undefined && fixedSecret.length < MIN_BOOTSTRAP_SECRET_LENGTH) {
      throw new AppError(
        ErrorCode.BAD_USER_INPUT,
        `BOOTSTRAP_API_KEY must be at least ${MIN_BOOTSTRAP_SECRET_LENGTH} characters`,
        undefined,
        AuthErrorReason.BOOTSTRAP_KEY_TOO_WEAK,
      );
    }
    const workspace = newWorkspace('Default workspace');
    const secret = fixedSecret ?? generateSecret();
    if (!(await this.workspaces.insertFirst(workspace, this.newKey(workspace.id, 'admin', ALL_SCOPES, secret))))
      return {};
    return { createdSecret: secret, workspaceId: workspace.id };
  }

  async createWorkspace(name: string): Promise<WorkspaceEntity> {
    const workspace = newWorkspace(name);
    await this.workspaces.insert(workspace);
    return workspace;
  }

  /** Every workspace, oldest first (operator tooling). */
  async listWorkspaces(): Promise<WorkspaceEntity[]> {
    return this.workspaces.list();
  }

  /** A key by id alone, in whichever workspace it is (operator tooling: revoking without knowing the workspace). */
  async findKey(id: string): Promise<ApiKeyEntity | null> {
    return this.keys.byId(id);
  }

  async getWorkspace(id: string): Promise<WorkspaceEntity> {
    return this.workspaces.get(id);
  }

  /** Creates a key with a known secret (bootstrap, tests and tooling). */
  async insertKey(
    workspaceId: string,
    name: string,
    scopes: readonly Scope[],
    secret: string,
    allowedOrigins: string[] | null = null,
  ): Promise<ApiKeyEntity> {
    const apiKey = this.newKey(workspaceId, name, scopes, secret, allowedOrigins);
    await this.keys.insert(apiKey);
    return apiKey;
  }

  private newKey(
    workspaceId: string,
    name: string,
    scopes: readonly Scope[],
    secret: string,
    allowedOrigins: string[] | null = null,
  ): ApiKeyEntity {
    return Object.assign(new ApiKeyEntity(), {
      id: newId(),
      workspaceId,
      name,
      scopes: [...scopes],
      secretHash: hashSecret(secret),
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
      allowedOrigins,
    });
  }
}

const keyNotFound = (id: string): AppError =>
  new AppError(
    ErrorCode.NOT_FOUND,
    `API key ${JSON.stringify(id)} not found`,
    ['id'],
    AuthErrorReason.API_KEY_NOT_FOUND,
  );
