/**
 * Each generator's events go through the same parsing and normalization the listeners apply, then
 * through the Sigma and correlation engines with the built-in pack: the attack must trigger the
 * rules it is meant to, and the ordinary variant must trigger none.
 */
import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorrelationEngine } from '../detect/correlation/evaluator.js';
import { DetectionEngine } from '../detect/engine.js';
import { loadRules } from '../detect/sigma/loader.js';
import { normalizeIncoming } from '../normalize/incoming.js';
import { parseSyslog } from '../parse/syslog/index.js';
import { stampEvent } from '../pipeline/stamp.js';
import { getField } from '../schema/fields.js';
import type { VigilEvent } from '../schema/ecs.js';
import { Rng } from './random.js';
import type { Scenario, Step } from './scenario.js';
import { SCENARIOS, scenarioNamed } from './scenarios/index.js';

const PACK = loadRules(path.resolve(import.meta.dirname, '..', '..', 'rules', 'vigil'));
const PACK_IDS = new Set([...PACK.rules.map((r) => r.id), ...PACK.correlations.map((c) => c.id)]);

/** What the listeners would store for one step (syslog parse, or shipper JSON normalization, then stamping). */
function stored(step: Step, timezone: string, now: Date): VigilEvent[] {
  const d = step.delivery;
  const docs =
    d.via === 'syslog'
      ? d.lines.map((l) => {
          const r = parseSyslog(Buffer.from(l), { timezone, now, receivedFrom: '127.0.0.1' });
          if (!r.ok) throw new Error(`syslog line did not parse: ${r.reason}: ${l}`);
          return r.value;
        })
      : d.docs.map((doc) => {
          const raw = JSON.stringify(doc);
          const r = normalizeIncoming(JSON.parse(raw), raw);
          if (!r.ok) throw new Error(`document did not normalize: ${r.reason}: ${raw.slice(0, 200)}`);
          return r.value;
        });
  return docs.map((doc) => {
    const s = stampEvent(doc, 'default', now);
    if (!s.ok) throw new Error(s.reason);
    return s.value;
  });
}

interface Run {
  events: VigilEvent[];
  /** rule id → number of detections (Sigma matches and correlations) */
  fired: Map<string, number>;
}

/** Plays steps through the engines in send order, batch by batch, as live detection does. */
function detect(steps: Step[], timezone = 'UTC', now = new Date()): Run {
  const engine = new DetectionEngine(PACK.rules, { filters: PACK.filters });
  const corr = new CorrelationEngine(PACK.correlations, PACK.rules);
  const fired = new Map<string, number>();
  const bump = (id: string) => fired.set(id, (fired.get(id) ?? 0) + 1);
  const events: VigilEvent[] = [];
  for (const step of [...steps].sort((a, b) => a.at - b.at)) {
    const batch = stored(step, timezone, now);
    events.push(...batch);
    const matches = engine.evaluate(batch);
    for (const m of matches) bump(m.ruleId);
    for (const c of corr.process(matches.map((m) => ({ ruleId: m.ruleId, event: batch[m.eventIndex]! }))))
      bump(c.correlationId);
  }
  return { events, fired };
}

function play(s: Scenario, seed: number, variant: 'attack' | 'benign', timezone = 'UTC'): Run {
  const start = Date.UTC(2026, 10, 28, 10, 0, 0);
  const steps = s[variant]({ rng: new Rng(seed), start, syslogTimeZone: timezone });
  return detect(steps, timezone, new Date(start + 120_000));
}

const byName = (n: string): Scenario => {
  const s = scenarioNamed(n);
  if (!s) throw new Error(n);
  return s;
};

describe('demo scenarios', () => {
  it('name only rules that exist in the built-in pack, and the pack loads without rejections', () => {
    expect(PACK.rejected).toEqual([]);
    for (const s of SCENARIOS)
      for (const id of s.detectedBy) expect(PACK_IDS.has(id), `${s.name}: ${id}`).toBe(true);
    // Every rule of the pack is exercised by some scenario.
    expect(new Set(SCENARIOS.flatMap((s) => s.detectedBy))).toEqual(PACK_IDS);
  });

  for (const s of SCENARIOS) {
    it(`${s.name}: the attack triggers exactly its rules, each correlation once`, () => {
      const run = play(s, 7, 'attack');
      expect(run.events.length).toBeGreaterThan(0);
      expect([...run.fired.keys()].sort()).toEqual([...s.detectedBy].sort());
      for (const c of PACK.correlations)
        if (run.fired.has(c.id)) expect(run.fired.get(c.id), c.title).toBe(1);
    });

    it(`${s.name}: the ordinary variant triggers no rule`, () => {
      const run = play(s, 7, 'benign');
      expect(run.events.length).toBeGreaterThan(0);
      expect(Object.fromEntries(run.fired)).toEqual({});
    });
  }

  it('holds for any seed: attacks are detected, ordinary activity is not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(...SCENARIOS), (seed, s) => {
        const attack = play(s, seed, 'attack');
        for (const id of s.detectedBy)
          expect(attack.fired.has(id), `${s.name} seed ${seed}: ${id}`).toBe(true);
        expect(play(s, seed, 'benign').fired.size).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('repeats exactly for a seed and differs between seeds', () => {
    const s = byName('windows-intrusion');
    const a = s.attack({ rng: new Rng(1), start: 0, syslogTimeZone: 'UTC' });
    const b = s.attack({ rng: new Rng(1), start: 0, syslogTimeZone: 'UTC' });
    const c = s.attack({ rng: new Rng(2), start: 0, syslogTimeZone: 'UTC' });
    // Compared as booleans: a failure should not print two megabytes of JSON.
    expect(JSON.stringify(a) === JSON.stringify(b)).toBe(true);
    expect(JSON.stringify(a) === JSON.stringify(c)).toBe(false);
  });

  it('stamps events at the time they are played, within the scenario duration', () => {
    const start = Date.now();
    for (const s of SCENARIOS) {
      const steps = s.attack({ rng: new Rng(3), start, syslogTimeZone: 'UTC' });
      const run = detect(steps);
      for (const e of run.events) {
        const t = Date.parse(e['@timestamp']);
        // RFC 3164 carries whole seconds; every event lies in the minute the demo promises.
        expect(t, s.name).toBeGreaterThanOrEqual(Math.floor(start / 1000) * 1000);
        expect(t, s.name).toBeLessThan(start + 45_000);
      }
      expect(Math.max(...steps.map((x) => x.at)), s.name).toBeLessThan(40_000);
    }
  });
});

describe('ssh-bruteforce', () => {
  const s = byName('ssh-bruteforce');

  it('writes sshd/sudo lines the auth parser recognizes, in the sender time zone', () => {
    const tz = 'America/New_York';
    const run = play(s, 11, 'attack', tz);
    const failed = run.events.filter(
      (e) => getField(e, 'event.action') === 'ssh_login' && getField(e, 'event.outcome') === 'failure',
    );
    expect(failed.length).toBeGreaterThanOrEqual(12);
    const attacker = getField(failed[0]!, 'source.ip');
    expect(failed.every((e) => getField(e, 'source.ip') === attacker)).toBe(true);
    // RFC 5737 documentation range: the demo never names a real address.
    expect(String(attacker)).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
    const sudo = run.events.find((e) => getField(e, 'event.action') === 'sudo');
    expect(getField(sudo!, 'user.effective.name')).toBe('root');
    expect(getField(sudo!, 'process.command_line')).toBe('/bin/bash');
    // Read back in the same zone, the wall-clock times land on the scenario's UTC instants.
    const first = Date.parse(run.events[0]!['@timestamp']);
    expect(Math.abs(first - Date.UTC(2026, 10, 28, 10, 0, 0))).toBeLessThan(5_000);
    // The lines the pack's rules read are all classified as the auth log (Sigma `linux/auth`).
    const verdicts = run.events.filter((e) =>
      /^(Failed|Accepted) password for |^Invalid user | : TTY=/.test(String(getField(e, 'message'))),
    );
    expect(verdicts.length).toBeGreaterThan(failed.length);
    expect(verdicts.every((e) => getField(e, 'event.dataset') === 'system.auth')).toBe(true);
  });
});

describe('windows-intrusion', () => {
  const s = byName('windows-intrusion');

  it('ships Winlogbeat documents that normalize to Sysmon, Security and System events', () => {
    const run = play(s, 5, 'attack');
    const kinds = new Set(
      run.events.map(
        (e) => `${String(getField(e, 'winlog.channel'))}/${String(getField(e, 'winlog.event_id'))}`,
      ),
    );
    for (const k of [
      'Microsoft-Windows-Sysmon/Operational/1',
      'Microsoft-Windows-Sysmon/Operational/10',
      'Security/4624',
      'System/7045',
    ]) {
      expect(
        [...kinds].some((x) => x.toLowerCase() === k.toLowerCase()),
        k,
      ).toBe(true);
    }
    const lsass = run.events.find((e) => {
      const target = getField(e, 'winlog.event_data.TargetImage');
      return typeof target === 'string' && target.endsWith('\\lsass.exe');
    });
    expect(getField(lsass!, 'winlog.event_data.GrantedAccess')).toBe('0x1010');
    const logons = run.events.filter((e) => String(getField(e, 'winlog.event_id')) === '4624');
    expect(logons.map((e) => getField(e, 'winlog.event_data.LogonType'))).toEqual(['3', '3']);
  });
});

describe('dns-tunnel', () => {
  it('sends Zeek dns records with long hex labels under one domain', () => {
    const run = play(byName('dns-tunnel'), 9, 'attack');
    const names = run.events.map((e) => String(getField(e, 'dns.question.name')));
    expect(names.length).toBeGreaterThanOrEqual(24);
    const domains = new Set(names.map((n) => n.split('.').slice(-2).join('.')));
    expect(domains.size).toBe(1);
    expect(names.every((n) => /^[0-9a-f]{32,63}\./.test(n))).toBe(true);
    expect(run.events.every((e) => getField(e, 'event.dataset') === 'zeek.dns')).toBe(true);
  });
});

describe('http-exfil', () => {
  it('sends Zeek http and conn records adding up to more than 100 MiB to one external host', () => {
    const run = play(byName('http-exfil'), 13, 'attack');
    const http = run.events.filter((e) => getField(e, 'event.dataset') === 'zeek.http');
    const conn = run.events.filter((e) => getField(e, 'event.dataset') === 'zeek.conn');
    expect(conn.length).toBe(http.length);
    const total = http.reduce((a, e) => a + Number(getField(e, 'http.request.body.bytes')), 0);
    expect(total).toBeGreaterThanOrEqual(100 * 1024 * 1024);
    expect(new Set(http.map((e) => getField(e, 'url.domain'))).size).toBe(1);
  });
});
