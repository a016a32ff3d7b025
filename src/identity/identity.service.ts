import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { IdentityVerification } from '../auth/workspace.entity';
import { normalizeEmail } from '../person/person.service';
import type { AppError } from '../shared/errors';
import type { SecretBox } from '../shared/secret-box';
import { identitySecretRequired, identityUnverified } from './identity.errors';
import type { IdentityRepository, IdentitySettingsEntity } from './identity.repository';

/**
 * The identity hash a customer's backend computes for a visitor's e-mail:
 * hex(HMAC-SHA256(secret, lowercase(trimmed e-mail))), as Intercom's
 * `user_hash` and Munchkin's `associateLead` hash do. The secret never
 * reaches a browser, so a page's public key alone cannot claim an identity.
 */
export const identityHash = (secret: string, email: string): string =>
  createHmac('sha256', secret).update(normalizeEmail(email), 'utf8').digest('hex');

/** What an identification may change, once decided. */
export type IdentityDecision = { error: AppError } | { overwrite: boolean; verified: boolean };

export interface IdentityClaim {
  email: string;
  identityHash?: string | null;
}

/** How long an instance trusts its copy of a workspace's mode and secret (others' changes show within it). */
const SETTINGS_TTL_MS = 5_000;

/**
 * Identity verification: a workspace's mode (OFF, OPTIONAL, REQUIRED) and its
 * identity secret (generated here, shown once, stored sealed), and the
 * decision for each identification.
 *
 * A call made with a key that is not public (it holds READ or MANAGE, so it
 * lives on a server, never in a page) counts as verified: the hash exists to
 * let a browser prove what only the customer's backend could have signed.
 */
export class IdentityService {
  private readonly cache = new Map<
    string,
    { settings: IdentitySettingsEntity & { secret: string | null }; expires: number }
  >();

  constructor(
    private readonly repository: IdentityRepository,
    private readonly secrets: SecretBox,
  ) {}

  async settings(workspaceId: string): Promise<IdentitySettingsEntity & { secret: string | null }> {
    const hit = this.cache.get(workspaceId);
    if (hit && hit.expires > Date.now()) return hit.settings;
    const stored = await this.repository.settings(workspaceId);
    const settings = { ...stored, secret: stored.secretEnc ? this.secrets.open(stored.secretEnc) : null };
    this.cache.set(workspaceId, { settings, expires: Date.now() + SETTINGS_TTL_MS });
    return settings;
  }

  /**
   * OFF: the identification does what it always did (its fields replace the
   * known person's). OPTIONAL: verified, the same; unverified, it may attach
   * the visitor and merge its anonymous history, but only fill a known
   * person's empty fields. REQUIRED: unverified is FORBIDDEN and stores nothing.
   */
  async decide(
    workspaceId: string,
    claim: IdentityClaim,
    trusted: boolean,
    field: readonly string[],
  ): Promise<IdentityDecision> {
    const settings = await this.settings(workspaceId);
    const verified = trusted || this.hashMatches(settings.secret, claim);
    switch (settings.mode) {
      case IdentityVerification.OFF:
        return { overwrite: true, verified };
      case IdentityVerification.OPTIONAL:
        return { overwrite: verified, verified };
      case IdentityVerification.REQUIRED:
        return verified ? { overwrite: true, verified } : { error: identityUnverified([...field, 'identityHash']) };
    }
  }

  async setMode(workspaceId: string, mode: IdentityVerification): Promise<IdentitySettingsEntity> {
    if (mode === IdentityVerification.REQUIRED && (await this.repository.settings(workspaceId)).secretEnc === null) {
      throw identitySecretRequired();
    }
    await this.repository.setMode(workspaceId, mode);
    this.cache.delete(workspaceId);
    return this.repository.settings(workspaceId);
  }

  /** A new secret (256 random bits), shown once: hashes made with the previous one stop verifying at once. */
  async rotateSecret(workspaceId: string): Promise<{ secret: string; settings: IdentitySettingsEntity }> {
    const secret = randomBytes(32).toString('hex');
    await this.repository.setSecret(workspaceId, this.secrets.seal(secret), new Date());
    this.cache.delete(workspaceId);
    return { secret, settings: await this.repository.settings(workspaceId) };
  }

  private hashMatches(secret: string | null, claim: IdentityClaim): boolean {
    if (!secret || !claim.identityHash) return false;
    const expected = Buffer.from(identityHash(secret, claim.email), 'hex');
    const given = Buffer.from(claim.identityHash, 'hex');
    // Constant time: how much of a guessed hash is right must not show in the answer's timing.
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
