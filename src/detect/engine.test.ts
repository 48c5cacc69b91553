import { describe, expect, it } from 'vitest';
import { loadRules, loadRulesFromText } from './sigma/loader.js';
import { DetectionEngine } from './engine.js';
import { OTRF_WINDOWS, otrfZips, readOtrfZip } from './otrf-fixture.js';
import { compileOne, SYSMON } from './sigma/test-helpers.js';

const RULES = new URL('../../../shared/data/sigma/rules/', import.meta.url).pathname;
const all = loadRules(RULES);
const engine = new DetectionEngine(all.rules);

function detectionsOf(zip: string, ruleId: string): { index: number; event: Record<string, unknown> }[] {
  const events = readOtrfZip(OTRF_WINDOWS + zip);
  return engine
    .evaluate(events)
    .filter((d) => d.ruleId === ruleId)
    .map((d) => ({ index: d.eventIndex, event: events[d.eventIndex]! }));
}

describe('real OTRF logs against all SigmaHQ rules', () => {
  it('esentutl copying the SAM hive: Sysmon 1 and Security 4688 both fire e7be6119', () => {
    // Rule: Image|endswith \esentutl.exe AND CommandLine contains (windash) vss|/m|/y.
    // Log: "esentutl.exe /y /vss C:\windows/system32/config/SAM ..." once in Sysmon 1, once in 4688.
    const hits = detectionsOf('credential_access/host/cmd_sam_copy_esentutl.zip', 'e7be6119-fc37-43f0-ad4f-1f3f99be2f9f');
    expect(hits.map((h) => `${h.event['Channel']}/${h.event['EventID']}`).sort()).toEqual([`${SYSMON}/1`, 'Security/4688']);
    for (const h of hits) expect(String(h.event['CommandLine'])).toContain('/vss');
  });

  it('comsvcs MiniDump of lsass fires 646ea171 on both process creation records', () => {
    // Rule: rundll32 image/cli AND CommandLine contains all (comsvcs, full) AND contains MiniDump.
    const hits = detectionsOf('credential_access/host/psh_lsass_memory_dump_comsvcs.zip', '646ea171-dded-4578-8a4d-65e9822892e3');
    expect(hits).toHaveLength(2);
    for (const h of hits) expect(String(h.event['CommandLine'])).toMatch(/comsvcs\.dll MiniDump \d+ .* full/);
  });

  it('UserInitMprLogonScript: the registry rule fires only on the Sysmon 13 event, not on process creation', () => {
    // Rule 9ace0707 (registry_set): TargetObject contains UserInitMprLogonScript. The same text also
    // appears in a 4688 and a Sysmon 1 CommandLine; strict logsource keeps those out.
    const hits = detectionsOf('persistence/host/cmd_userinitmprlogonscript_batch.zip', '9ace0707-b560-49b8-b6ca-5148b42f39fb');
    expect(hits).toHaveLength(1);
    expect(hits[0]!.event).toMatchObject({ Channel: SYSMON, EventID: 13, EventType: 'SetValue' });
    const d = engine.evaluate([hits[0]!.event]).find((x) => x.ruleId === '9ace0707-b560-49b8-b6ca-5148b42f39fb')!;
    expect(d.matchedSelections).toEqual(['selection']);
    expect(d.matchedFields).toEqual([{ TargetObject: hits[0]!.event['TargetObject'] }]);
    expect(d.attack.techniques.length).toBeGreaterThan(0);
  });

  it('the literal prefilter never loses a detection (same result as evaluating every rule)', () => {
    const reference = new DetectionEngine(all.rules, { prefilter: false });
    const events: Record<string, unknown>[] = [];
    for (const z of otrfZips()) {
      const evs = readOtrfZip(z);
      for (let i = 0; i < evs.length; i += 15) events.push(evs[i]!); // a spread-out sample
    }
    // Winlogbeat-shaped copies exercise the nested field resolution too.
    const nested = events.slice(0, 3000).map((e) => {
      const { Channel, EventID, ...rest } = e;
      return { winlog: { channel: Channel, event_id: EventID, event_data: rest } };
    });
    const key = (d: { ruleId: string; eventIndex: number }): string => `${d.eventIndex}:${d.ruleId}`;
    for (const batch of [events, nested]) {
      const fast = engine.evaluate(batch).map(key).sort();
      const full = reference.evaluate(batch).map(key).sort();
      expect(fast).toEqual(full);
      expect(full.length).toBeGreaterThan(10);
    }
  }, 180_000);
});

describe('engine controls', () => {
  const rule = compileOne({ sel: { 'Image|endswith': '\\whoami.exe' }, condition: 'sel' });
  const ev = { Channel: SYSMON, EventID: 1, Image: 'C:\\whoami.exe', Computer: 'DC-01' };

  it('enables and disables rules by id', () => {
    const e = new DetectionEngine([rule], { disabled: [rule.id] });
    expect(e.evaluate([ev])).toHaveLength(0);
    expect(e.enable(rule.id)).toBe(true);
    expect(e.evaluate([ev])).toHaveLength(1);
    expect(e.disable(rule.id)).toBe(true);
    expect(e.evaluate([ev])).toHaveLength(0);
    expect(e.disable('unknown')).toBe(false);
  });

  it('applies Sigma meta filters to the rules they name', () => {
    const f = loadRulesFromText(`title: not on DCs
id: 81111111-1111-4111-8111-111111111111
logsource:
  product: windows
filter:
  rules:
    - ${rule.id}
  selection:
    Computer|startswith: 'DC-'
  condition: not selection
`).filters;
    const e = new DetectionEngine([rule], { filters: f });
    expect(e.evaluate([ev])).toHaveLength(0);
    expect(e.evaluate([{ ...ev, Computer: 'WS-07' }])).toHaveLength(1);
  });

  it('reports event positions and ids in a batch', () => {
    const e = new DetectionEngine([rule]);
    const out = e.evaluate([{ Channel: SYSMON, EventID: 1, Image: 'x' }, { ...ev, event: { id: 'e-2' } }]);
    expect(out.map((d) => [d.eventIndex, d.eventId, d.level])).toEqual([[1, 'e-2', 'high']]);
  });
});
