import { createHash, timingSafeEqual } from 'node:crypto';
import type { VigilConfig } from '../config/schema.js';
import type { ApiToken, AuditLog, IdentityRepo, User } from '../store/ports.js';
import { newId, randomToken } from '../util/ids.js';
import { PASSWORD_MIN_LENGTH, dummyHash, generatePassword, hashPassword, verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';
import { type Role, type TokenRole } from './roles.js';

export const ALL_TENANTS = '*';
export const DEFAULT_TENANT = 'default';
const TOKEN_PREFIX = 'vgl_';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export class AuthError extends Error {
  constructor(
    readonly code: 'invalid_credentials' | 'locked' | 'bad_request' | 'not_found' | 'conflict',
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface Actor {
  name: string;
  ip: string | null;
}

export type LoginResult = { sessionId: string; csrfToken: string; user: User; expiresAt: string };

export class AuthService {
  /** When each token's last-used time was last written. */
  private readonly touched = new Map<string, number>();
  constructor(
    private readonly identity: IdentityRepo,
    private readonly audit: AuditLog,
    private readonly cfg: VigilConfig['auth'],
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** First start: the default tenant and the `admin` user. Returns the password when it was generated. */
  async bootstrap(adminPassword?: string): Promise<{ createdAdmin: boolean; generatedPassword?: string }> {
    // Nodes of a cluster may start together on an empty database: whoever loses a creation race
    // finds the winner's record and goes on.
    if (!(await this.identity.getTenant(DEFAULT_TENANT))) {
      try {
        await this.identity.createTenant({ id: DEFAULT_TENANT, name: 'Default' });
        await this.audit.append({ actor: 'system', tenant: null, action: 'tenant.create', target: DEFAULT_TENANT, ip: null, before: null, after: { name: 'Default' } });
      } catch (e) {
        if (!(await this.identity.getTenant(DEFAULT_TENANT))) throw e;
      }
    }
    if ((await this.identity.listUsers()).length > 0) return { createdAdmin: false };
    const generated = adminPassword ? undefined : generatePassword();
    try {
      await this.createUser({ name: 'system', ip: null }, { username: 'admin', password: adminPassword ?? generated!, role: 'admin', tenants: [ALL_TENANTS] }, true);
    } catch (e) {
      if (await this.identity.getUserByName('admin')) return { createdAdmin: false };
      throw e;
    }
    return generated ? { createdAdmin: true, generatedPassword: generated } : { createdAdmin: true };
  }

  async createUser(
    actor: Actor,
    input: { username: string; password: string; role: Role; tenants: string[] },
    allowShortPassword = false,
  ): Promise<User> {
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(input.username)) {
      throw new AuthError('bad_request', 'username: 1–64 characters of letters, digits, . _ @ -');
    }
    if (!allowShortPassword && input.password.length < PASSWORD_MIN_LENGTH) {
      throw new AuthError('bad_request', `password: at least ${PASSWORD_MIN_LENGTH} characters`);
    }
    await this.checkTenants(input.tenants);
    if (await this.identity.getUserByName(input.username)) throw new AuthError('conflict', `user ${input.username} exists`);
    const user = await this.identity.createUser({
      id: newId(),
      username: input.username,
      role: input.role,
      tenants: input.tenants,
      passwordHash: await hashPassword(input.password),
    });
    await this.audit.append({
      actor: actor.name, tenant: null, action: 'user.create', target: user.username, ip: actor.ip,
      before: null, after: { role: user.role, tenants: user.tenants },
    });
    return user;
  }

  async updateUser(actor: Actor, username: string, patch: { role?: Role; tenants?: string[]; disabled?: boolean; password?: string }): Promise<User> {
    const user = await this.identity.getUserByName(username);
    if (!user) throw new AuthError('not_found', `no user ${username}`);
    if (patch.tenants) await this.checkTenants(patch.tenants);
    if (patch.password !== undefined && patch.password.length < PASSWORD_MIN_LENGTH) {
      throw new AuthError('bad_request', `password: at least ${PASSWORD_MIN_LENGTH} characters`);
    }
    const change: Partial<User> = {};
    if (patch.role) change.role = patch.role;
    if (patch.tenants) change.tenants = patch.tenants;
    if (patch.disabled !== undefined) change.disabled = patch.disabled;
    if (patch.password !== undefined) {
      change.passwordHash = await hashPassword(patch.password);
      change.failedLogins = 0;
      change.lockedUntil = null;
    }
    const updated = (await this.identity.updateUser(user.id, change))!;
    // A changed password, role or a disabled account ends every open session of that user.
    if (patch.password !== undefined || patch.disabled || patch.role) await this.identity.deleteSessionsOfUser(user.id);
    await this.audit.append({
      actor: actor.name, tenant: null, action: patch.password !== undefined ? 'user.password' : 'user.update', target: username, ip: actor.ip,
      before: { role: user.role, tenants: user.tenants, disabled: user.disabled },
      after: { role: updated.role, tenants: updated.tenants, disabled: updated.disabled },
    });
    return updated;
  }

  private async checkTenants(tenants: string[]): Promise<void> {
    for (const t of tenants) {
      if (t !== ALL_TENANTS && !(await this.identity.getTenant(t))) throw new AuthError('bad_request', `tenant ${t} does not exist`);
    }
  }

  async login(username: string, password: string, ip: string): Promise<LoginResult> {
    const now = this.now();
    const user = await this.identity.getUserByName(username);
    if (!user) {
      await verifyPassword(password, await dummyHash());
      await this.audit.append({ actor: username, tenant: null, action: 'auth.login_failed', target: username, ip, before: null, after: { reason: 'unknown user' } });
      throw new AuthError('invalid_credentials', 'invalid username or password');
    }
    if (user.lockedUntil && Date.parse(user.lockedUntil) > now.getTime()) {
      const retry = Math.ceil((Date.parse(user.lockedUntil) - now.getTime()) / 1000);
      throw new AuthError('locked', 'account temporarily locked after repeated failed logins', retry);
    }
    const good = !user.disabled && (await verifyPassword(password, user.passwordHash));
    if (!good) {
      await this.recordFailure(user, now, ip);
      throw new AuthError('invalid_credentials', 'invalid username or password');
    }
    await this.identity.updateUser(user.id, { failedLogins: 0, firstFailedAt: null, lockedUntil: null });
    const sessionId = randomToken();
    const csrfToken = randomToken(24);
    const expiresAt = new Date(now.getTime() + this.cfg.sessionTtlMinutes * 60_000).toISOString();
    await this.identity.createSession({ idHash: sha256(sessionId), userId: user.id, csrfToken, createdAt: now.toISOString(), expiresAt, ip });
    await this.audit.append({ actor: user.username, tenant: null, action: 'auth.login', target: user.username, ip, before: null, after: null });
    return { sessionId, csrfToken, user, expiresAt };
  }

  private async recordFailure(user: User, now: Date, ip: string): Promise<void> {
    const windowMs = this.cfg.lockout.windowMinutes * 60_000;
    const inWindow = user.firstFailedAt !== null && now.getTime() - Date.parse(user.firstFailedAt) < windowMs;
    const failures = inWindow ? user.failedLogins + 1 : 1;
    const lock = failures >= this.cfg.lockout.maxAttempts;
    await this.identity.updateUser(user.id, {
      failedLogins: lock ? 0 : failures,
      firstFailedAt: lock ? null : inWindow ? user.firstFailedAt : now.toISOString(),
      lockedUntil: lock ? new Date(now.getTime() + this.cfg.lockout.lockMinutes * 60_000).toISOString() : user.lockedUntil,
    });
    await this.audit.append({
      actor: user.username, tenant: null, action: lock ? 'auth.lockout' : 'auth.login_failed', target: user.username, ip,
      before: null, after: { failures },
    });
  }

  async logout(sessionId: string, ip: string | null): Promise<void> {
    const s = await this.identity.getSession(sha256(sessionId));
    if (!s) return;
    await this.identity.deleteSession(s.idHash);
    const user = await this.identity.getUser(s.userId);
    await this.audit.append({ actor: user?.username ?? s.userId, tenant: null, action: 'auth.logout', target: user?.username ?? null, ip, before: null, after: null });
  }

  async fromSession(sessionId: string): Promise<Principal | undefined> {
    const s = await this.identity.getSession(sha256(sessionId));
    if (!s || Date.parse(s.expiresAt) <= this.now().getTime()) return undefined;
    const user = await this.identity.getUser(s.userId);
    if (!user || user.disabled) return undefined;
    return { kind: 'user', id: user.id, name: user.username, role: user.role, tenants: await this.expand(user.tenants), csrfToken: s.csrfToken, sessionIdHash: s.idHash };
  }

  async fromToken(presented: string): Promise<Principal | undefined> {
    if (!presented.startsWith(TOKEN_PREFIX)) return undefined;
    const dot = presented.indexOf('.', TOKEN_PREFIX.length);
    if (dot < 0) return undefined;
    const id = presented.slice(TOKEN_PREFIX.length, dot);
    const token = await this.identity.getToken(id);
    if (!token || token.revokedAt) return undefined;
    const a = Buffer.from(sha256(presented.slice(dot + 1)), 'hex');
    const b = Buffer.from(token.secretHash, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    // "Last used" is for people reviewing tokens: minute precision is plenty, and writing it on
    // every request cost one fsync'd commit per ingest request.
    const nowMs = this.now().getTime();
    if (nowMs - (this.touched.get(id) ?? 0) >= 60_000) {
      this.touched.set(id, nowMs);
      if (this.touched.size > 10_000) this.touched.clear();
      await this.identity.touchToken(id, new Date(nowMs).toISOString());
    }
    return { kind: 'token', id: token.id, name: `token:${token.name}`, role: token.role, tenants: await this.expand([token.tenant]) };
  }

  private async expand(tenants: string[]): Promise<string[]> {
    if (!tenants.includes(ALL_TENANTS)) return tenants;
    return (await this.identity.listTenants()).map((t) => t.id);
  }

  async createToken(actor: Actor, input: { name: string; role: TokenRole; tenant: string }): Promise<{ token: string; record: ApiToken }> {
    if (!(await this.identity.getTenant(input.tenant))) throw new AuthError('bad_request', `tenant ${input.tenant} does not exist`);
    const id = randomToken(9);
    const secret = randomToken(32);
    const record: ApiToken = {
      id, name: input.name, secretHash: sha256(secret), role: input.role, tenant: input.tenant,
      createdBy: actor.name, createdAt: this.now().toISOString(), revokedAt: null, lastUsedAt: null,
    };
    await this.identity.createToken(record);
    await this.audit.append({ actor: actor.name, tenant: input.tenant, action: 'token.create', target: id, ip: actor.ip, before: null, after: { name: input.name, role: input.role } });
    return { token: `${TOKEN_PREFIX}${id}.${secret}`, record };
  }

  async revokeToken(actor: Actor, id: string): Promise<void> {
    const t = await this.identity.getToken(id);
    if (!t) throw new AuthError('not_found', `no token ${id}`);
    if (!(await this.identity.revokeToken(id, this.now().toISOString()))) throw new AuthError('conflict', `token ${id} is already revoked`);
    await this.audit.append({ actor: actor.name, tenant: t.tenant, action: 'token.revoke', target: id, ip: actor.ip, before: { revokedAt: null }, after: { revokedAt: 'now' } });
  }

  async createTenant(actor: Actor, id: string, name: string): Promise<void> {
    if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(id)) throw new AuthError('bad_request', 'tenant id: lowercase letters, digits, _ and -, up to 63');
    if (await this.identity.getTenant(id)) throw new AuthError('conflict', `tenant ${id} exists`);
    await this.identity.createTenant({ id, name });
    await this.audit.append({ actor: actor.name, tenant: id, action: 'tenant.create', target: id, ip: actor.ip, before: null, after: { name } });
  }
}
