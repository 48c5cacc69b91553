/**
 * Secrets for connectors (API keys, passwords), encrypted at rest with AES-256-GCM. The key comes
 * from `playbooks.secretKey` / VIGIL_SECRET_KEY, or is generated once into `<dataDir>/secret.key`
 * (mode 0600) so that an embedded install works without setup. Values are never logged, never
 * returned by the API after saving, and redacted from recorded step inputs.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SealedSecret {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

export interface SecretRepo {
  put(tenant: string, name: string, sealed: SealedSecret, by: string): Promise<void>;
  get(tenant: string, name: string): Promise<SealedSecret | undefined>;
  names(tenant: string): Promise<Array<{ name: string; updatedBy: string; updatedAt: string }>>;
  remove(tenant: string, name: string): Promise<boolean>;
}

export function parseKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes, as 64 hex characters or base64');
  return key;
}

/**
 * The key in force: VIGIL_SECRET_KEY, else `playbooks.secretKey`, else the key file of the data
 * directory (created on first start). The environment wins so a key can be injected without a file.
 */
export function resolveSecretKey(
  env: string | undefined,
  configured: string | undefined,
  dataDir: string,
): Buffer {
  return loadOrCreateKey(env?.trim() || configured?.trim() || undefined, dataDir);
}

export function loadOrCreateKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return parseKey(configured);
  if (dataDir === ':memory:') return randomBytes(32);
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) return parseKey(readFileSync(file, 'utf8'));
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export class SecretVault {
  constructor(
    private readonly repo: SecretRepo,
    private readonly key: Buffer,
  ) {}

  /** The tenant and name are authenticated data: a sealed value moved to another name fails to open. */
  private aad(tenant: string, name: string): Buffer {
    return Buffer.from(`${tenant}\n${name}`);
  }

  async set(tenant: string, name: string, value: string, by: string): Promise<void> {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(this.aad(tenant, name));
    const ciphertext = Buffer.concat([c.update(value, 'utf8'), c.final()]);
    await this.repo.put(tenant, name, { iv, tag: c.getAuthTag(), ciphertext }, by);
  }

  async reveal(tenant: string, name: string): Promise<string> {
    const s = await this.repo.get(tenant, name);
    if (!s) throw new Error(`no secret named ${name}`);
    const d = createDecipheriv('aes-256-gcm', this.key, s.iv);
    d.setAAD(this.aad(tenant, name));
    d.setAuthTag(s.tag);
    try {
      return Buffer.concat([d.update(s.ciphertext), d.final()]).toString('utf8');
    } catch {
      throw new Error(`secret ${name} cannot be decrypted (wrong key or altered)`);
    }
  }

  names(tenant: string): Promise<Array<{ name: string; updatedBy: string; updatedAt: string }>> {
    return this.repo.names(tenant);
  }

  remove(tenant: string, name: string): Promise<boolean> {
    return this.repo.remove(tenant, name);
  }
}
