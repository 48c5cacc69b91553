import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../alerts/ports.js';
import { configSchema } from '../config/schema.js';
import { parsePlaybook, type Playbook } from './definition.js';
import { resolveSecretKey } from './secrets.js';
import { alertMatches } from './triggers.js';

function pb(trigger: string): Playbook {
  const p = parsePlaybook(
    `id: t\nname: T\ntriggers:\n  - ${trigger}\nsteps:\n  - { id: a, action: log, with: { message: x } }\n`,
  );
  if (!p.ok) throw new Error(JSON.stringify(p.errors));
  return p.playbook;
}

const alert = (over: Partial<Alert> = {}): Alert =>
  ({ ruleId: 'r-1', severity: 'high', tags: ['vip', 'linux'], ...over }) as Alert;

describe('alert triggers', () => {
  it('`updated` uses the filters of `created` (rule, severity, tags) and optionally the changed fields', () => {
    const any = pb('alert: { event: updated, rules: [r-1], minSeverity: high, tags: [vip] }');
    expect(alertMatches(any, alert(), 'updated', ['status'])).toBe(true);
    expect(alertMatches(any, alert(), 'created')).toBe(false);
    expect(alertMatches(any, alert({ ruleId: 'r-2' }), 'updated', ['status'])).toBe(false);
    expect(alertMatches(any, alert({ severity: 'medium' }), 'updated', ['status'])).toBe(false);
    expect(alertMatches(any, alert({ tags: ['linux'] }), 'updated', ['status'])).toBe(false);

    const sev = pb('alert: { event: updated, fields: [severity, status] }');
    expect(alertMatches(sev, alert(), 'updated', ['severity'])).toBe(true);
    expect(alertMatches(sev, alert(), 'updated', ['tags', 'comments'])).toBe(false);
    expect(alertMatches(sev, alert(), 'updated', [])).toBe(false);

    const created = pb('alert: { rules: [r-1] }');
    expect(alertMatches(created, alert(), 'created')).toBe(true);
    expect(alertMatches(created, alert(), 'updated', ['severity'])).toBe(false);
  });

  it('refuses `fields` on a `created` trigger, naming the line', () => {
    const p = parsePlaybook(
      'id: t\nname: T\ntriggers:\n  - alert:\n      fields: [severity]\nsteps:\n  - { id: a, action: log }\n',
    );
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.errors.map((e) => e.message).join('\n')).toMatch(/only for event: updated/);
    expect(p.errors.some((e) => e.line >= 4 && e.line <= 5)).toBe(true);
  });
});

describe('playbooks.secretKey', () => {
  const HEX = 'ab'.repeat(32);
  const B64 = Buffer.alloc(32, 9).toString('base64');

  it('is validated by the configuration schema', () => {
    expect(configSchema.parse({ playbooks: { secretKey: HEX } }).playbooks.secretKey).toBe(HEX);
    expect(configSchema.parse({ playbooks: { secretKey: B64 } }).playbooks.secretKey).toBe(B64);
    const bad = configSchema.safeParse({ playbooks: { secretKey: 'too-short' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({
      path: ['playbooks', 'secretKey'],
      message: '64 hex characters or base64 of 32 bytes',
    });
  });

  it('VIGIL_SECRET_KEY overrides it; with neither, a key file is created once and reused', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-key-'));
    try {
      expect(resolveSecretKey(B64, HEX, dir).equals(Buffer.alloc(32, 9))).toBe(true);
      expect(resolveSecretKey('', HEX, dir).toString('hex')).toBe(HEX);
      expect(resolveSecretKey(undefined, HEX, dir).toString('hex')).toBe(HEX);
      expect(existsSync(path.join(dir, 'secret.key'))).toBe(false);
      const made = resolveSecretKey(undefined, undefined, dir);
      expect(readFileSync(path.join(dir, 'secret.key'), 'utf8').trim()).toBe(made.toString('hex'));
      expect(resolveSecretKey(undefined, undefined, dir).equals(made)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
