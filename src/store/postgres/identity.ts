import type { Role, TokenRole } from '../../auth/roles.js';
import type { ApiToken, IdentityRepo, Session, Tenant, User } from '../ports.js';
import type { Pool } from './db.js';

interface UserRow {
  id: string;
  username: string;
  role: string;
  tenants: string[];
  password_hash: string;
  disabled: boolean;
  failed_logins: number;
  first_failed_at: string | null;
  locked_until: string | null;
  created_at: string;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  role: r.role as Role,
  tenants: r.tenants,
  passwordHash: r.password_hash,
  disabled: r.disabled,
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

/** Columns a patch may set, with how each is written. */
const USER_PATCH: Array<[keyof User, string, (u: Partial<User>) => unknown]> = [
  ['role', 'role', (u) => u.role],
  ['tenants', 'tenants', (u) => JSON.stringify(u.tenants)],
  ['passwordHash', 'password_hash', (u) => u.passwordHash],
  ['disabled', 'disabled', (u) => u.disabled],
  ['failedLogins', 'failed_logins', (u) => u.failedLogins],
  ['firstFailedAt', 'first_failed_at', (u) => u.firstFailedAt],
  ['lockedUntil', 'locked_until', (u) => u.lockedUntil],
];

export class PostgresIdentityRepo implements IdentityRepo {
  constructor(private readonly pool: Pool) {}

  async createTenant(t: Omit<Tenant, 'createdAt'>): Promise<Tenant> {
    const createdAt = new Date().toISOString();
    await this.pool.query('INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)', [
      t.id,
      t.name,
      createdAt,
    ]);
    return { ...t, createdAt };
  }

  async listTenants(): Promise<Tenant[]> {
    const r = await this.pool.query<{ id: string; name: string; created_at: string }>(
      'SELECT * FROM tenants ORDER BY id',
    );
    return r.rows.map((x) => ({ id: x.id, name: x.name, createdAt: x.created_at }));
  }

  async getTenant(id: string): Promise<Tenant | undefined> {
    const x = (
      await this.pool.query<{ id: string; name: string; created_at: string }>(
        'SELECT * FROM tenants WHERE id = $1',
        [id],
      )
    ).rows[0];
    return x ? { id: x.id, name: x.name, createdAt: x.created_at } : undefined;
  }

  async createUser(
    u: Omit<User, 'failedLogins' | 'firstFailedAt' | 'lockedUntil' | 'createdAt' | 'disabled'>,
  ): Promise<User> {
    await this.pool.query(
      'INSERT INTO users (id, username, role, tenants, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [u.id, u.username, u.role, JSON.stringify(u.tenants), u.passwordHash, new Date().toISOString()],
    );
    return (await this.getUser(u.id))!;
  }

  async getUserByName(username: string): Promise<User | undefined> {
    const r = (
      await this.pool.query<UserRow>('SELECT * FROM users WHERE lower(username) = lower($1)', [username])
    ).rows[0];
    return r ? toUser(r) : undefined;
  }

  async getUser(id: string): Promise<User | undefined> {
    const r = (await this.pool.query<UserRow>('SELECT * FROM users WHERE id = $1', [id])).rows[0];
    return r ? toUser(r) : undefined;
  }

  async listUsers(): Promise<User[]> {
    return (await this.pool.query<UserRow>('SELECT * FROM users ORDER BY username')).rows.map(toUser);
  }

  async updateUser(
    id: string,
    patch: Partial<Omit<User, 'id' | 'username' | 'createdAt'>>,
  ): Promise<User | undefined> {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, col, value] of USER_PATCH) {
      if (key in patch) {
        values.push(value(patch));
        sets.push(`${col} = $${values.length}`);
      }
    }
    if (sets.length > 0)
      await this.pool.query(`UPDATE users SET ${sets.join(', ')} WHERE id = $${values.length + 1}`, [
        ...values,
        id,
      ]);
    return this.getUser(id);
  }

  async createSession(s: Session): Promise<void> {
    await this.pool.query(
      'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6)',
      [s.idHash, s.userId, s.csrfToken, s.createdAt, s.expiresAt, s.ip],
    );
  }

  async getSession(idHash: string): Promise<Session | undefined> {
    const r = (
      await this.pool.query<{
        id_hash: string;
        user_id: string;
        csrf_token: string;
        created_at: string;
        expires_at: string;
        ip: string;
      }>('SELECT * FROM sessions WHERE id_hash = $1', [idHash])
    ).rows[0];
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
    await this.pool.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  async deleteSessionsOfUser(userId: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  }

  async purgeExpiredSessions(now: Date): Promise<number> {
    return (
      (await this.pool.query('DELETE FROM sessions WHERE expires_at < $1', [now.toISOString()])).rowCount ?? 0
    );
  }

  async createToken(t: ApiToken): Promise<void> {
    await this.pool.query(
      'INSERT INTO api_tokens (id, name, secret_hash, role, tenant, created_by, created_at, revoked_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [t.id, t.name, t.secretHash, t.role, t.tenant, t.createdBy, t.createdAt, t.revokedAt, t.lastUsedAt],
    );
  }

  async getToken(id: string): Promise<ApiToken | undefined> {
    const r = (await this.pool.query<TokenRow>('SELECT * FROM api_tokens WHERE id = $1', [id])).rows[0];
    return r ? toToken(r) : undefined;
  }

  async listTokens(): Promise<ApiToken[]> {
    return (await this.pool.query<TokenRow>('SELECT * FROM api_tokens ORDER BY created_at')).rows.map(
      toToken,
    );
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    return (
      (
        await this.pool.query('UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
          at,
          id,
        ])
      ).rowCount === 1
    );
  }

  async touchToken(id: string, at: string): Promise<void> {
    await this.pool.query('UPDATE api_tokens SET last_used_at = $1 WHERE id = $2', [at, id]);
  }
}
