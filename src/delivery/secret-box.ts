import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../logger';

/** Parses a 32-byte key given as 64 hex digits or base64 (url-safe or not). */
export function parseSecretsKey(raw: string): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes, as 64 hex digits or base64');
  return key;
}

/**
 * The key that encrypts stored secrets (signing secrets must be usable, so
 * they cannot be hashed). SECRETS_KEY wins; otherwise a key is generated once
 * into a file next to the SQLite database (./data for MySQL), which only suits
 * single-machine setups: production sets SECRETS_KEY.
 */
export function loadSecretsKey(config: Config, log: Logger): Buffer {
  if (config.secretsKey) return parseSecretsKey(config.secretsKey);
  const dir = config.database.kind === 'sqlite' && config.database.url !== ':memory:' ? dirname(config.database.url) : 'data';
  const file = join(dir, 'secrets.key');
  if (existsSync(file)) return parseSecretsKey(readFileSync(file, 'utf8'));
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, key.toString('hex'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return parseSecretsKey(readFileSync(file, 'utf8'));
    throw err;
  }
  log.warn({ file }, 'SECRETS_KEY is not set: generated a key file; production should set SECRETS_KEY (32 bytes, hex or base64)');
  return key;
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

  open(sealed: string): string {
    const [iv, tag, data] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  }
}
