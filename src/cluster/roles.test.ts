import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import { scopeBus, dutyOfGroup } from './bus-scope.js';
import { routeKind, scopeRoutes } from './http-scope.js';
import { checkRoleServices, dutiesOf, parseRole, RoleConfigError, runsDuty } from './roles.js';

describe('process roles', () => {
  it('parses roles and maps all to every duty', () => {
    expect(parseRole(' Detect ', '--role')).toBe('detect');
    expect(() => parseRole('leader', 'VIGIL_ROLE')).toThrow(/VIGIL_ROLE: unknown role "leader"/);
    expect([...dutiesOf('all')].sort()).toEqual(['api', 'detect', 'ingest', 'worker']);
    expect([...dutiesOf('worker')]).toEqual(['worker']);
    expect(runsDuty({}, 'detect')).toBe(true);
    expect(runsDuty({ roles: dutiesOf('api') }, 'worker')).toBe(false);
  });

  it('requires PostgreSQL and NATS for a split role, not for all', () => {
    const none = { database: {}, nats: {} };
    expect(() => checkRoleServices('all', none)).not.toThrow();
    expect(() => checkRoleServices('ingest', none)).toThrow(RoleConfigError);
    expect(() => checkRoleServices('ingest', { database: { url: 'postgres://x/y' }, nats: {} })).toThrow(
      /set nats\.url \(VIGIL_NATS_URL\), or run with --role all/,
    );
    expect(() =>
      checkRoleServices('ingest', { database: { url: 'postgres://x/y' }, nats: { url: 'nats://x' } }),
    ).not.toThrow();
  });

  it('starts only the consumer groups of the node duties; per-node groups everywhere', async () => {
    expect(dutyOfGroup('detect')).toBe('detect');
    expect(dutyOfGroup('alert')).toBe('worker');
    expect(dutyOfGroup('rules-node-1')).toBe('any');
    expect(dutyOfGroup('something-new')).toBe('worker');
    const bus = new MemoryBus();
    const got: string[] = [];
    const detectNode = scopeBus(bus, dutiesOf('detect'));
    await detectNode.consume('detections.>', 'alert', async () => void got.push('alert'));
    await detectNode.consume('detections.>', 'record', async () => void got.push('record'));
    await detectNode.consume('detections.>', 'rules-n1', async () => void got.push('rules'));
    await detectNode.publish('detections.default', [{ id: 'd1' }]);
    const end = Date.now() + 2000;
    while (got.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(got.sort()).toEqual(['record', 'rules']);
    await bus.close();
  });

  it('classifies routes and answers 404 for another role, leaving system routes to all', async () => {
    expect(routeKind('/api/v1/health', 'public')).toBe('system');
    expect(routeKind('/_bulk', 'events:ingest')).toBe('ingest');
    expect(routeKind('/services/collector/health', 'public')).toBe('ingest');
    expect(routeKind('/api/v1/alerts', 'alerts:read')).toBe('api');
    const app = Fastify();
    app.route({
      method: 'GET',
      url: '/api/v1/alerts',
      config: { access: 'alerts:read' },
      handler: async () => 'alerts',
    });
    app.route({
      method: 'POST',
      url: '/api/v1/events',
      config: { access: 'events:ingest' },
      handler: async () => 'ok',
    });
    app.route({
      method: 'GET',
      url: '/api/v1/health',
      config: { access: 'public' },
      handler: async () => 'up',
    });
    scopeRoutes(app, dutiesOf('ingest'));
    expect((await app.inject({ method: 'GET', url: '/api/v1/alerts' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/v1/events' })).body).toBe('ok');
    expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).body).toBe('up');
    await app.close();
  });
});
