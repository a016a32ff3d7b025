import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config';
import type { Logger } from './logger';

/** Parses a 32-byte key given as 64 hex digits or base64 (url-safe or not). */
export function parseSecretsKey(raw: string, source = 'SECRETS_KEY'): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`${source} must hold a 32-byte key, as 64 hex digits or base64`);
  return key;
}

/** Where the generated key lives without SECRETS_KEY: SECRETS_KEY_FILE, else beside the SQLite file, else ./data. */
export function secretsKeyFile(config: Pick<Config, 'secretsKeyFile' | 'database'>): string {
  if (config.secretsKeyFile) return resolve(config.secretsKeyFile);
  const { kind, url } = config.database;
  return resolve(kind === 'sqlite' && url !== ':memory:' ? dirname(url) : 'data', 'secrets.key');
}

/**
 * The key that encrypts stored secrets (signing secrets must be usable by the
 * worker, so they cannot be hashed). SECRETS_KEY wins; otherwise the key file
 * is read, or created once (mode 0600). Several instances must share one key:
 * deployments with more than one machine set SECRETS_KEY.
 */
export function loadSecretsKey(
  config: Pick<Config, 'secretsKey' | 'secretsKeyFile' | 'database'>,
  log: Logger,
): Buffer {
  if (config.secretsKey) return parseSecretsKey(config.secretsKey);
  const file = secretsKeyFile(config);
  const existing = readKeyFile(file);
  if (existing) return existing;
  mkdirSync(dirname(file), { recursive: true });
  // Written aside and hard-linked into place: link fails if the file exists, so two processes starting together agree on one key and neither reads a half-written file.
  const temp = join(dirname(file), `.secrets.key.${process.pid}.${randomBytes(4).toString('hex')}`);
  writeFileSync(temp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  let created = true;
  try {
    linkSync(temp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') created = false;
    // Some file systems (network shares, some container mounts) have no hard links: exclusive create instead.
    else if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS')
      created = createExclusive(file, readFileSync(temp, 'utf8'));
    else throw err;
  } finally {
    rmSync(temp, { force: true });
  }
  if (created) {
    chmodSync(file, 0o600);
    log.warn(
      { file },
      'SECRETS_KEY is not set: generated a key file for stored secrets; keep it (and back it up) with the database',
    );
  }
  return readKeyFile(file)!;
}

function createExclusive(file: string, text: string): boolean {
  try {
    writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function readKeyFile(file: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parseSecretsKey(text, `the secrets key file ${file}`);
}

export class SecretKeyMismatchError extends Error {
  constructor() {
    super(
      'the stored signing secret cannot be decrypted with this SECRETS_KEY (was the key changed?); set the signing secret again',
    );
  }
}

/** AES-256-GCM; the stored form is base64url(iv).base64url(tag).base64url(ciphertext). */
export class SecretBox {
  constructor(private readonly key: Buffer) {}

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
  }

  /** Throws SecretKeyMismatchError when sealed under another key (or tampered with). */
  open(sealed: string): string {
    try {
      const [iv, tag, data] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretKeyMismatchError();
    }
  }
}
