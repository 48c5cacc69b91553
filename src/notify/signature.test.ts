import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './signature.js';

describe('webhook signature', () => {
  const secret = 'a-secret-of-enough-length';
  const body = '{"type":"alert.created"}';

  it('verifies what it signed, within the tolerance', () => {
    const sig = signWebhook(secret, 1_700_000_000, body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhook(secret, 1_700_000_000, body, sig, 1_700_000_100)).toBe(true);
  });

  it('refuses a changed body, another secret, another timestamp and a stale delivery', () => {
    const sig = signWebhook(secret, 1_700_000_000, body);
    expect(verifyWebhook(secret, 1_700_000_000, body + ' ', sig, 1_700_000_000)).toBe(false);
    expect(verifyWebhook('another-secret-of-length', 1_700_000_000, body, sig, 1_700_000_000)).toBe(false);
    expect(verifyWebhook(secret, 1_700_000_001, body, sig, 1_700_000_001)).toBe(false);
    expect(verifyWebhook(secret, 1_700_000_000, body, sig, 1_700_001_000)).toBe(false);
    expect(verifyWebhook(secret, 1_700_000_000, body, 'sha256=00', 1_700_000_000)).toBe(false);
  });
});
