import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { Storage } from '../store/ports.js';
import { openSqliteStorage } from '../store/sqlite/index.js';
import { verifyAuditChain } from './audit-chain.js';
import { AuthError, AuthService } from './service.js';

const sys = { name: 'tester', ip: '127.0.0.1' };

describe('AuthService', () => {
  let storage: Storage;
  let clock: Date;
  let auth: AuthService;
  beforeEach(async () => {
    storage = openSqliteStorage(mkdtempSync(path.join(tmpdir(), 'vigil-auth-')));
    clock = new Date('2026-01-01T00:00:00Z');
    auth = new AuthService(storage.identity, storage.audit, loadConfig({ env: {} }).auth, () => clock);
    await auth.bootstrap('admin-password-1');
  });
  afterEach(async () => storage.close());

  it('bootstraps once: default tenant, admin with all tenants, audited', async () => {
    expect((await auth.bootstrap()).createdAdmin).toBe(false);
    const s = await auth.login('admin', 'admin-password-1', '1.2.3.4');
    const p = await auth.fromSession(s.sessionId);
    expect(p).toMatchObject({ role: 'admin', tenants: ['default'] });
    const actions = (await storage.audit.list({ limit: 10 })).map((r) => r.action);
    expect(actions).toEqual(['tenant.create', 'user.create', 'auth.login']);
  });

  it('generates and reports an admin password when none is given', async () => {
    const fresh = openSqliteStorage(mkdtempSync(path.join(tmpdir(), 'vigil-auth-')));
    const a = new AuthService(fresh.identity, fresh.audit, loadConfig({ env: {} }).auth);
    const r = await a.bootstrap();
    expect(r.generatedPassword).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    await expect(a.login('admin', r.generatedPassword!, '::1')).resolves.toBeDefined();
    await fresh.close();
  });

  it('locks an account after repeated failures and unlocks after the lock period', async () => {
    await auth.createUser(sys, { username: 'bob', password: 'correct horse', role: 'analyst', tenants: ['default'] });
    for (let i = 0; i < 5; i++) {
      await expect(auth.login('bob', 'wrong', '9.9.9.9')).rejects.toMatchObject({ code: 'invalid_credentials' });
    }
    // Even the right password is refused while locked.
    await expect(auth.login('bob', 'correct horse', '9.9.9.9')).rejects.toMatchObject({ code: 'locked' });
    clock = new Date(clock.getTime() + 16 * 60_000);
    await expect(auth.login('bob', 'correct horse', '9.9.9.9')).resolves.toMatchObject({ user: { username: 'bob' } });
    const actions = (await storage.audit.list({ limit: 50 })).map((r) => r.action);
    expect(actions).toContain('auth.lockout');
  });

  it('forgets failures older than the window', async () => {
    await auth.createUser(sys, { username: 'carol', password: 'correct horse', role: 'analyst', tenants: ['default'] });
    for (let i = 0; i < 4; i++) await expect(auth.login('carol', 'x', '1.1.1.1')).rejects.toBeInstanceOf(AuthError);
    clock = new Date(clock.getTime() + 20 * 60_000);
    for (let i = 0; i < 4; i++) await expect(auth.login('carol', 'x', '1.1.1.1')).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(auth.login('carol', 'correct horse', '1.1.1.1')).resolves.toBeDefined();
  });

  it('expires sessions and ends them on password change', async () => {
    await auth.createUser(sys, { username: 'dan', password: 'correct horse', role: 'analyst', tenants: ['default'] });
    const s1 = await auth.login('dan', 'correct horse', '::1');
    expect(await auth.fromSession(s1.sessionId)).toBeDefined();
    await auth.updateUser(sys, 'dan', { password: 'another horse' });
    expect(await auth.fromSession(s1.sessionId)).toBeUndefined();
    const s2 = await auth.login('dan', 'another horse', '::1');
    clock = new Date(clock.getTime() + 13 * 3600_000);
    expect(await auth.fromSession(s2.sessionId)).toBeUndefined();
  });

  it('accepts a token until it is revoked, and never stores its secret', async () => {
    const { token, record } = await auth.createToken(sys, { name: 'fb', role: 'ingest', tenant: 'default' });
    expect(await auth.fromToken(token)).toMatchObject({ kind: 'token', role: 'ingest', tenants: ['default'] });
    expect(JSON.stringify(await storage.identity.listTokens())).not.toContain(token.split('.')[1]);
    expect(await auth.fromToken(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
    await auth.revokeToken(sys, record.id);
    expect(await auth.fromToken(token)).toBeUndefined();
    await expect(auth.revokeToken(sys, record.id)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses tenants that do not exist and weak passwords', async () => {
    await expect(auth.createUser(sys, { username: 'e', password: 'long enough pw', role: 'analyst', tenants: ['nope'] })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(auth.createUser(sys, { username: 'e', password: 'short', role: 'analyst', tenants: ['default'] })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('keeps the audit chain verifiable through all of it', async () => {
    await auth.createTenant(sys, 'acme', 'ACME');
    await auth.createUser(sys, { username: 'f', password: 'long enough pw', role: 'auditor', tenants: ['acme'] });
    expect((await verifyAuditChain(storage.audit.all())).ok).toBe(true);
  });

  it('records when a token was last used, at most once a minute', async () => {
    const { token, record } = await auth.createToken(sys, { name: 'ship', role: 'ingest', tenant: 'default' });
    const t0 = clock.toISOString();
    await auth.fromToken(token);
    expect((await storage.identity.getToken(record.id))?.lastUsedAt).toBe(t0);
    clock = new Date(clock.getTime() + 30_000);
    await auth.fromToken(token);
    expect((await storage.identity.getToken(record.id))?.lastUsedAt).toBe(t0);
    clock = new Date(clock.getTime() + 31_000);
    await auth.fromToken(token);
    expect((await storage.identity.getToken(record.id))?.lastUsedAt).toBe(clock.toISOString());
  });

  it('lets two nodes bootstrap one empty database at the same time', async () => {
    const fresh = openSqliteStorage(':memory:');
    const a = new AuthService(fresh.identity, fresh.audit, loadConfig({ env: {} }).auth);
    const b = new AuthService(fresh.identity, fresh.audit, loadConfig({ env: {} }).auth);
    const [ra, rb] = await Promise.all([a.bootstrap('first-password-1'), b.bootstrap('second-password-2')]);
    expect([ra.createdAdmin, rb.createdAdmin].filter(Boolean)).toHaveLength(1);
    expect((await fresh.identity.listUsers()).map((u) => u.username)).toEqual(['admin']);
    expect((await fresh.identity.listTenants()).map((t) => t.id)).toEqual(['default']);
    await fresh.close();
  });
});
