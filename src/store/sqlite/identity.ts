import type { ApiToken, IdentityRepo, Session, Tenant, User } from '../ports.js';
import type { Role, TokenRole } from '../../auth/roles.js';
import type { Db } from './db.js';

interface UserRow {
  id: string;
  username: string;
  role: string;
  tenants: string;
  password_hash: string;
  disabled: number;
  failed_logins: number;
  first_failed_at: string | null;
  locked_until: string | null;
  created_at: string;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  role: r.role as Role,
  tenants: JSON.parse(r.tenants) as string[],
  passwordHash: r.password_hash,
  disabled: r.disabled === 1,
  failedLogins: r.failed_logins,
  firstFailedAt: r.first_failed_at,
  lockedUntil: r.locked_until,
  createdAt: r.created_at,
});

interface TokenRow {
  id: string;
  name: string;
  secret_hash: string;
  role: string;
  tenant: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  secretHash: r.secret_hash,
  role: r.role as TokenRole,
  tenant: r.tenant,
  createdBy: r.created_by,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

const USER_COLUMNS: Record<string, (u: Partial<User>) => unknown> = {
  role: (u) => u.role,
  tenants: (u) => JSON.stringify(u.tenants),
  password_hash: (u) => u.passwordHash,
  disabled: (u) => (u.disabled ? 1 : 0),
  failed_logins: (u) => u.failedLogins,
  first_failed_at: (u) => u.firstFailedAt,
  locked_until: (u) => u.lockedUntil,
};
const USER_KEYS: Record<string, keyof User> = {
  role: 'role',
  tenants: 'tenants',
  password_hash: 'passwordHash',
  disabled: 'disabled',
  failed_logins: 'failedLogins',
  first_failed_at: 'firstFailedAt',
  locked_until: 'lockedUntil',
};

export class SqliteIdentityRepo implements IdentityRepo {
  constructor(private readonly db: Db) {}

  async createTenant(t: Omit<Tenant, 'createdAt'>): Promise<Tenant> {
    const createdAt = new Date().toISOString();
    this.db
      .prepare('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)')
      .run(t.id, t.name, createdAt);
    return { ...t, createdAt };
  }

  async listTenants(): Promise<Tenant[]> {
    return (
      this.db.prepare('SELECT id, name, created_at FROM tenants ORDER BY id').all() as Array<{
        id: string;
        name: string;
        created_at: string;
      }>
    ).map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
  }

  async getTenant(id: string): Promise<Tenant | undefined> {
    const r = this.db.prepare('SELECT id, name, created_at FROM tenants WHERE id = ?').get(id) as
      { id: string; name: string; created_at: string } | undefined;
    return r ? { id: r.id, name: r.name, createdAt: r.created_at } : undefined;
  }

  async createUser(
    u: Omit<User, 'failedLogins' | 'firstFailedAt' | 'lockedUntil' | 'createdAt' | 'disabled'>,
  ): Promise<User> {
    const createdAt = new Date().toISOString();
    this.db
      .prepare(
        'INSERT INTO users (id, username, role, tenants, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(u.id, u.username, u.role, JSON.stringify(u.tenants), u.passwordHash, createdAt);
    return (await this.getUser(u.id))!;
  }

  async getUserByName(username: string): Promise<User | undefined> {
    const r = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return r ? toUser(r) : undefined;
  }

  async getUser(id: string): Promise<User | undefined> {
    const r = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return r ? toUser(r) : undefined;
  }

  async listUsers(): Promise<User[]> {
    return (this.db.prepare('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser);
  }

  async updateUser(
    id: string,
    patch: Partial<Omit<User, 'id' | 'username' | 'createdAt'>>,
  ): Promise<User | undefined> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [col, key] of Object.entries(USER_KEYS)) {
      if (key in patch) {
        sets.push(`${col} = ?`);
        params.push(USER_COLUMNS[col]!(patch));
      }
    }
    if (sets.length > 0)
      this.db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
    return this.getUser(id);
  }

  async createSession(s: Session): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, ip) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(s.idHash, s.userId, s.csrfToken, s.createdAt, s.expiresAt, s.ip);
  }

  async getSession(idHash: string): Promise<Session | undefined> {
    const r = this.db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as
      | {
          id_hash: string;
          user_id: string;
          csrf_token: string;
          created_at: string;
          expires_at: string;
          ip: string;
        }
      | undefined;
    return r
      ? {
          idHash: r.id_hash,
          userId: r.user_id,
          csrfToken: r.csrf_token,
          createdAt: r.created_at,
          expiresAt: r.expires_at,
          ip: r.ip,
        }
      : undefined;
  }

  async deleteSession(idHash: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  async deleteSessionsOfUser(userId: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
  }

  async purgeExpiredSessions(now: Date): Promise<number> {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now.toISOString()).changes;
  }

  async createToken(t: ApiToken): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO api_tokens (id, name, secret_hash, role, tenant, created_by, created_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(t.id, t.name, t.secretHash, t.role, t.tenant, t.createdBy, t.createdAt, t.revokedAt, t.lastUsedAt);
  }

  async getToken(id: string): Promise<ApiToken | undefined> {
    const r = this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as TokenRow | undefined;
    return r ? toToken(r) : undefined;
  }

  async listTokens(): Promise<ApiToken[]> {
    return (this.db.prepare('SELECT * FROM api_tokens ORDER BY created_at').all() as TokenRow[]).map(toToken);
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    return (
      this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id)
        .changes === 1
    );
  }

  async touchToken(id: string, at: string): Promise<void> {
    this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(at, id);
  }
}
