import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../app.js';
import { bearer, startTestApp, tokenFor } from '../../test-support/app.js';

const SSH_FAILED = '5f1c2a60-3f0e-4b8a-9d2a-6c1e0b7a4f01';
const sshd = (message: string) => ({
  '@timestamp': '2026-11-28T09:00:00.000Z',
  message,
  event: { module: 'system', dataset: 'system.auth' },
  host: { name: 'bastion' },
  source: { ip: '203.0.113.5' },
  process: { name: 'sshd' },
});

describe('POST /api/v1/rules/test', () => {
  let app: VigilApp;
  let analyst: string;
  beforeAll(async () => {
    app = await startTestApp();
    analyst = await tokenFor(app, 'analyst');
  });
  afterAll(async () => app?.close());

  const test = (body: unknown, token = analyst) =>
    app.http.inject({
      method: 'POST',
      url: '/api/v1/rules/test',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });

  it('explains a loaded rule against sample events, selection by selection', async () => {
    const r = await test({
      ruleId: SSH_FAILED,
      events: [
        sshd('Failed password for root from 203.0.113.5 port 4242 ssh2'),
        sshd('Accepted publickey for ops'),
      ],
    });
    expect(r.statusCode).toBe(200);
    const body = r.json() as {
      rules: Array<{ id: string }>;
      results: Array<{
        explanations: Array<{
          matched: boolean;
          logsource: { matched: boolean };
          selections: Array<{
            name: string;
            matched: boolean;
            alternatives: Array<{ fields: Array<{ matched: boolean }> }>;
          }>;
        }>;
      }>;
    };
    expect(body.rules.map((x) => x.id)).toEqual([SSH_FAILED]);
    const [hit, miss] = body.results.map((x) => x.explanations[0]!);
    expect(hit!.matched).toBe(true);
    expect(hit!.logsource.matched).toBe(true);
    expect(hit!.selections.some((s) => s.matched)).toBe(true);
    expect(miss!.matched).toBe(false);
    expect(
      miss!.selections.flatMap((s) => s.alternatives.flatMap((a) => a.fields)).some((f) => !f.matched),
    ).toBe(true);
  });

  it('tests pasted YAML, and says why a text holds no usable rule', async () => {
    const yaml = `title: Frobnication\nid: 6a0e2f8e-1111-4d6c-9e1f-0a1b2c3d4e5f\nlogsource: { product: linux, service: auth }\ndetection:\n  sel: { message|contains: frobnicate }\n  condition: sel\nlevel: low\n`;
    const ok = await test({ yaml, events: [sshd('we frobnicate now'), sshd('nothing')] });
    expect(
      (ok.json() as { results: Array<{ explanations: Array<{ matched: boolean }> }> }).results.map(
        (x) => x.explanations[0]!.matched,
      ),
    ).toEqual([true, false]);
    const bad = await test({ yaml: 'title: only a title', events: [{}] });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/no usable rule/);
    expect((await test({ ruleId: 'no-such-rule', events: [{}] })).statusCode).toBe(404);
  });
});
