import { describe, expect, it } from 'vitest';
import { MATRIX, PERMISSIONS, can } from './permissions.js';
import { TOKEN_ROLES } from './roles.js';

describe('permission matrix', () => {
  it('gives the auditor every read permission and no write permission', () => {
    for (const p of PERMISSIONS) {
      const isRead = p.endsWith(':read');
      expect(can('auditor', p)).toBe(isRead);
    }
  });

  it('lets an ingest token do nothing but send events', () => {
    expect([...MATRIX.ingest]).toEqual(['events:ingest']);
  });

  it('reserves tenant and system administration to admin', () => {
    for (const r of TOKEN_ROLES) {
      expect(can(r, 'tenants:manage')).toBe(r === 'admin');
      expect(can(r, 'system:config')).toBe(r === 'admin');
    }
  });
});
