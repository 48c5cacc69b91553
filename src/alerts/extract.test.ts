import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DetectionRecord } from '../store/ports.js';
import { entityOf, entityTypeOf } from './entity.js';
import { observablesOf, observablesOfEvent } from './observables.js';
import { levelToSeverity, raise, riskEntities, touchesCriticalAsset } from './policy.js';

const det = (over: Partial<DetectionRecord>): DetectionRecord => ({
  id: 'd',
  tenant: 'default',
  ts: '2026-11-28T09:00:00.000Z',
  detectedAt: '2026-11-28T09:00:01.000Z',
  kind: 'sigma',
  ruleId: 'r',
  title: 't',
  level: 'low',
  tags: [],
  attack: { techniques: [], tactics: [] },
  eventIds: [],
  details: {},
  ...over,
});

describe('entity and observables of a detection', () => {
  it('takes the entity from the event, a correlation group, or a silent source', () => {
    expect(entityOf(det({}), { host: { name: 'BASTION' }, user: { name: 'root' } })).toEqual({
      type: 'host',
      value: 'bastion',
    });
    expect(entityOf(det({}), { 'user.name': 'Root' })).toEqual({ type: 'user', value: 'Root' });
    expect(
      entityOf(det({ kind: 'correlation', details: { group: { 'source.ip': '203.0.113.7' } } }), undefined),
    ).toEqual({ type: 'ip', value: '203.0.113.7' });
    expect(
      entityOf(
        det({ kind: 'correlation', details: { group: { 'source.ip': '1.2.3.4', 'user.name': 'bob' } } }),
        undefined,
      ),
    ).toEqual({ type: 'ip+user', value: '1.2.3.4 | bob' });
    expect(
      entityOf(det({ kind: 'silent_source', details: { host: 'fw1', input: 'syslog' } }), undefined),
    ).toEqual({ type: 'host', value: 'fw1' });
    expect(entityOf(det({}), { message: 'no entity here' })).toBeNull();
    expect(entityTypeOf('winlog.event_data.TargetFilename')).toBe('winlog.event_data.TargetFilename');
  });

  it('extracts every observable type from an ECS event', () => {
    const event = {
      source: { ip: '203.0.113.7' },
      destination: { ip: '10.0.0.5', domain: 'Evil.Example' },
      url: { full: 'http://evil.example/x' },
      dns: { question: { name: 'c2.example' } },
      file: { path: 'C:\\t\\a.exe', name: 'a.exe', hash: { sha256: 'ABCDEF' } },
      process: { executable: 'C:\\w\\cmd.exe', name: 'cmd.exe' },
      user: { name: 'alice', email: 'alice@example.org' },
      host: { name: 'WS1' },
      registry: { path: 'HKLM\\Run\\x' },
      related: { ip: ['203.0.113.7', '10.0.0.9'] },
    };
    expect(observablesOfEvent(event)).toEqual([
      { type: 'ip', value: '203.0.113.7' },
      { type: 'ip', value: '10.0.0.5' },
      { type: 'ip', value: '10.0.0.9' },
      { type: 'domain', value: 'c2.example' },
      { type: 'domain', value: 'evil.example' },
      { type: 'url', value: 'http://evil.example/x' },
      { type: 'hash', value: 'abcdef' },
      { type: 'file', value: 'C:\\t\\a.exe' },
      { type: 'user', value: 'alice' },
      { type: 'email', value: 'alice@example.org' },
      { type: 'host', value: 'ws1' },
      { type: 'process', value: 'C:\\w\\cmd.exe' },
      { type: 'registry', value: 'HKLM\\Run\\x' },
    ]);
    expect(observablesOf([], { 'source.ip': '1.2.3.4' })).toEqual([{ type: 'ip', value: '1.2.3.4' }]);
  });

  it('never throws and never repeats an observable, whatever the event (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.string()), (doc, group) => {
        const obs = observablesOf([doc, doc], group);
        const keys = obs.map((o) => `${o.type}\n${o.value}`);
        expect(new Set(keys).size).toBe(keys.length);
        for (const o of obs) expect(typeof o.value).toBe('string');
        entityOf(det({ details: { group } }), doc);
      }),
      { numRuns: 300 },
    );
  });

  it('derives severity, the critical-asset raise and risk entities', () => {
    expect(levelToSeverity('HIGH')).toBe('high');
    expect(levelToSeverity('weird')).toBe('medium');
    expect(raise('high')).toBe('critical');
    expect(raise('critical')).toBe('critical');
    const critical = new Set(['dc01']);
    expect(touchesCriticalAsset(critical, { type: 'host', value: 'DC01' }, [])).toBe(true);
    expect(touchesCriticalAsset(critical, null, [{ type: 'host', value: 'dc01' }])).toBe(true);
    expect(touchesCriticalAsset(critical, null, [{ type: 'file', value: 'dc01' }])).toBe(false);
    expect(
      riskEntities({ type: 'ip', value: '1.2.3.4' }, [
        { type: 'host', value: 'a' },
        { type: 'user', value: 'u' },
        { type: 'host', value: 'b' },
      ]),
    ).toEqual([
      { type: 'host', value: 'a' },
      { type: 'user', value: 'u' },
    ]);
  });
});
