import fastify, { type FastifyInstance } from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthService } from '../auth/service.js';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import type { Capability } from '../capability.js';
import { loadConfig } from '../config/load.js';
import { createVigilMetrics } from '../metrics/registry.js';
import type { VigilEvent } from '../schema/ecs.js';
import type { DetectionRecord, Storage } from '../store/ports.js';
import { openSqliteStorage } from '../store/sqlite/index.js';
import { RISK_RULE_ID, type AlertingOptions } from './policy.js';
import { ALERTS_CREATED_SUBJECT, startAlerting } from './service.js';
import { until as waitUntil } from '../test-support/until.js';

const SSH_RULE = '5f1c2a60-3f0e-4b8a-9d2a-6c1e0b7a4f01';

const until = <T>(f: () => Promise<T | undefined>, ms = 5000): Promise<T> =>
  waitUntil(f, ms, 'a condition', 10);

const event = (id: string, over: Record<string, unknown> = {}): VigilEvent => ({
  '@timestamp': '2026-11-28T09:00:00.000Z',
  event: { id, ingested: '2026-11-28T09:00:01.000Z' },
  organization: { id: 'default' },
  message: 'Failed password for root from 203.0.113.7 port 4242 ssh2',
  host: { name: 'bastion' },
  source: { ip: '203.0.113.7' },
  user: { name: 'root' },
  ...over,
});

const detection = (id: string, e: VigilEvent, over: Partial<DetectionRecord> = {}): DetectionRecord => ({
  id,
  tenant: e.organization.id,
  ts: e['@timestamp'],
  detectedAt: new Date().toISOString(),
  kind: 'sigma',
  ruleId: SSH_RULE,
  title: 'SSH Failed Password',
  level: 'low',
  tags: ['attack.credential_access', 'attack.t1110.001'],
  attack: { techniques: ['t1110.001'], tactics: ['credential_access'] },
  eventIds: [e.event.id],
  details: {},
  ...over,
});

describe('alerting service (MemoryBus + SQLite)', () => {
  let storage: Storage;
  let bus: MemoryBus;
  let http: FastifyInstance;
  let cap: Capability | undefined;
  const created: string[] = [];
  const notified: Array<{ id: string; kind: string; severity: string; subject: { id: string } }> = [];

  async function start(opts: Partial<AlertingOptions> = {}): Promise<void> {
    const config = loadConfig({ env: {} });
    cap = await startAlerting(
      {
        config,
        storage,
        bus,
        http,
        log: pino({ level: 'silent' }),
        metrics: createVigilMetrics(),
        auth: new AuthService(storage.identity, storage.audit, config.auth),
      },
      opts,
    );
  }

  beforeEach(async () => {
    storage = openSqliteStorage(mkdtempSync(path.join(tmpdir(), 'vigil-alerting-')));
    bus = new MemoryBus();
    http = fastify();
    created.length = 0;
    notified.length = 0;
    await bus.consume<(typeof notified)[number]>('notifications.>', 'test-notify', async (m) => {
      notified.push(m.data);
    });
    await bus.consume<{ alertIds: string[] }>(`${ALERTS_CREATED_SUBJECT}.>`, 'test', async (m) => {
      created.push(...m.data.alertIds);
    });
  });
  afterEach(async () => {
    await cap?.close();
    await bus.close();
    await http.close();
    await storage.close();
  });

  it('folds repeats on one host into one alert, ignores redelivery, and announces the new alert', async () => {
    await start();
    const events = [1, 2, 3].map((i) => event(`e${i}`, { '@timestamp': `2026-11-28T09:0${i}:00.000Z` }));
    await storage.events.append(events);
    const dets = events.map((e, i) => detection(`d${i}`, e));
    await bus.publish('detections.default', dets.slice(0, 2));
    await bus.publish('detections.default', dets.slice(0, 2)); // redelivered by an at-least-once bus
    await bus.publish('detections.default', [dets[2]!]);
    const alert = await until(async () => {
      const { alerts } = await storage.alerts.list({ tenants: ['default'], limit: 10, ruleId: SSH_RULE });
      return alerts[0]?.count === 3 ? alerts[0] : undefined;
    });
    await new Promise((r) => setTimeout(r, 50));
    const { alerts } = await storage.alerts.list({ tenants: ['default'], limit: 10, ruleId: SSH_RULE });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.count).toBe(3);
    // One notification for the one new alert, whatever the redeliveries; channels filter by severity.
    expect(notified.map((n) => [n.kind, n.subject.id, n.severity])).toEqual([
      ['alert.created', alerts[0]!.id, 'low'],
    ]);
    expect(alert).toMatchObject({
      severity: 'low',
      entity: { type: 'host', value: 'bastion' },
      firstSeen: '2026-11-28T09:01:00.000Z',
      lastSeen: '2026-11-28T09:03:00.000Z',
      firstEventAt: '2026-11-28T09:01:00.000Z',
    });
    expect(alert.observables).toEqual(
      expect.arrayContaining([
        { type: 'ip', value: '203.0.113.7' },
        { type: 'user', value: 'root' },
        { type: 'host', value: 'bastion' },
      ]),
    );
    expect(await storage.alerts.eventIdsOf('default', alert.id, 10)).toEqual(['e1', 'e2', 'e3']);
    expect(created).toEqual([alert.id]);
  });

  it('raises an alert whose observable is a confident live indicator, and not for a weak or global-only-other-tenant one', async () => {
    await start();
    await storage.intel.upsertIndicators([
      // Global (every tenant) and confident: raises. The address is in the event's source.ip.
      { tenant: '*', type: 'ipv4', value: '203.0.113.7', source: 'feed-a', confidence: 90, severity: 'high' },
      // Confident but another tenant's: must not leak into this tenant's severity.
      { tenant: 'other', type: 'domain', value: 'evil.example', source: 'feed-b', confidence: 95 },
      // This tenant's but weak: below the default floor (75).
      { tenant: 'default', type: 'ipv4', value: '198.51.100.9', source: 'feed-c', confidence: 30 },
    ]);
    const known = event('k1');
    const otherTenant = event('k2', {
      host: { name: 'web1' },
      source: { ip: '192.0.2.1' },
      url: { domain: 'cdn.evil.example' },
    });
    const weak = event('k3', { host: { name: 'db1' }, source: { ip: '198.51.100.9' } });
    await storage.events.append([known, otherTenant, weak]);
    await bus.publish('detections.default', [
      detection('dk1', known),
      detection('dk2', otherTenant),
      detection('dk3', weak),
    ]);
    const alerts = await until(async () => {
      const r = await storage.alerts.list({ tenants: ['default'], limit: 10, ruleId: SSH_RULE });
      return r.alerts.length === 3 ? r.alerts : undefined;
    });
    const byHost = Object.fromEntries(alerts.map((a) => [a.entity?.value, a]));
    expect(byHost['bastion']).toMatchObject({ severity: 'medium' });
    expect(byHost['bastion']!.tags).toContain('intel-match');
    expect(byHost['web1']).toMatchObject({ severity: 'low' });
    expect(byHost['web1']!.tags).not.toContain('intel-match');
    expect(byHost['db1']).toMatchObject({ severity: 'low' });
  });

  it('finds a parent-domain indicator for a subdomain observable', async () => {
    await start();
    await storage.intel.upsertIndicators([
      { tenant: 'default', type: 'domain', value: 'evil.example', source: 'feed-b', confidence: 80 },
    ]);
    const e = event('s1', { host: { name: 'web2' }, url: { domain: 'a.b.evil.example' } });
    await storage.events.append([e]);
    await bus.publish('detections.default', [detection('ds1', e, { level: 'high' })]);
    const a = await until(
      async () => (await storage.alerts.list({ tenants: ['default'], limit: 1 })).alerts[0],
    );
    expect(a.severity).toBe('critical');
    expect(a.tags).toContain('intel-match');
  });

  it('keys a correlation on its group, raises critical assets, and skips "source resumed"', async () => {
    await start({ criticalAssets: ['203.0.113.7'] });
    await bus.publish('detections.default', [
      {
        ...detection('c1', event('none')),
        kind: 'correlation',
        ruleId: 'corr-1',
        title: 'SSH Brute Force',
        level: 'high',
        eventIds: [],
        details: { group: { 'source.ip': '203.0.113.7' }, windowStart: '2026-11-28T08:55:00.000Z' },
      },
    ]);
    await bus.publish('detections.default', {
      kind: 'source_resumed',
      ruleId: 'vigil-silent-source',
      title: 'Source resumed',
      level: 'informational',
      tenant: 'default',
      input: 'syslog',
      host: 'fw1',
      lastSeen: '2026-11-28T08:00:00.000Z',
      silentForSeconds: 7200,
      detectedAt: '2026-11-28T10:00:00.000Z',
      id: 'sr1',
    });
    await bus.publish('detections.default', {
      kind: 'silent_source',
      ruleId: 'vigil-silent-source',
      title: 'Source went silent',
      level: 'medium',
      tenant: 'default',
      input: 'syslog',
      host: 'FW2',
      lastSeen: '2026-11-28T08:00:00.000Z',
      silentForSeconds: 3600,
      detectedAt: '2026-11-28T09:00:00.000Z',
      id: 'ss1',
    });
    const all = await until(async () => {
      const r = await storage.alerts.list({ tenants: ['default'], limit: 10 });
      return r.total >= 2 ? r.alerts : undefined;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(await storage.alerts.count(['default'])).toBe(2);
    const corr = all.find((a) => a.ruleId === 'corr-1')!;
    expect(corr).toMatchObject({
      kind: 'correlation',
      severity: 'critical',
      entity: { type: 'ip', value: '203.0.113.7' },
      firstEventAt: '2026-11-28T08:55:00.000Z',
    });
    const silent = all.find((a) => a.kind === 'silent_source')!;
    expect(silent).toMatchObject({ severity: 'medium', entity: { type: 'host', value: 'fw2' } });
  });

  it('raises one risk alert when an entity crosses the risk threshold across rules', async () => {
    await start({
      risk: {
        threshold: 100,
        windowMs: 24 * 3600_000,
        weights: { informational: 1, low: 5, medium: 15, high: 40, critical: 80 },
      },
    });
    const events = [1, 2, 3, 4].map((i) =>
      event(`r${i}`, { '@timestamp': `2026-11-28T09:0${i}:00.000Z`, user: { name: 'mallory' } }),
    );
    await storage.events.append(events);
    // Three different high rules on one host: 40 + 40 = 80 < 100, the third crosses, the fourth is already above.
    for (const [i, e] of events.entries()) {
      await bus.publish('detections.default', [
        detection(`h${i}`, e, { ruleId: `rule-${i}`, level: 'high' }),
      ]);
    }
    const risk = await until(async () => {
      const r = await storage.alerts.list({ tenants: ['default'], limit: 10, ruleId: RISK_RULE_ID });
      return r.total === 2 ? r.alerts : undefined;
    });
    await until(async () => ((await storage.alerts.count(['default'])) === 6 ? true : undefined));
    await new Promise((r) => setTimeout(r, 50));
    expect(await storage.alerts.count(['default'])).toBe(6); // 4 rule alerts + host risk + user risk
    expect(risk.map((a) => a.entity).sort((a, b) => a!.type.localeCompare(b!.type))).toEqual([
      { type: 'host', value: 'bastion' },
      { type: 'user', value: 'mallory' },
    ]);
    expect(risk.every((a) => a.severity === 'high' && a.kind === 'risk' && a.count === 1)).toBe(true);
  });

  it('stops consuming on close', async () => {
    await start();
    await cap!.close();
    cap = undefined;
    const e = event('late');
    await storage.events.append([e]);
    await bus.publish('detections.default', [detection('late', e)]);
    await new Promise((r) => setTimeout(r, 50));
    expect(await storage.alerts.count(['default'])).toBe(0);
  });
});
