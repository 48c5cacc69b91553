import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getField } from '../../schema/fields.js';
import { readEvtx } from '../../parse/evtx/read-evtx.js';
import type { EvtxRecord } from '../../parse/evtx/types.js';
import { detectWindowsShape, normalizeWindows } from './index.js';

const DATA = resolve(import.meta.dirname, '../../../../shared/data');

/** Sysmon EventID 1, record 839, from a real sample file (cmd.exe started by iexplore.exe). */
function evtxSysmon1(): EvtxRecord {
  const buf = readFileSync(resolve(DATA, 'evtx-attack-samples/Execution/exec_driveby_cve-2018-15982_sysmon_1_10.evtx'));
  for (const r of readEvtx(buf)) if (r.ok && r.value.event.Event.System?.EventRecordID === 839) return r.value;
  throw new Error('sample record 839 not found');
}

// The same event as Windows renders it (GUIDs in braces, everything text), the way NXLog/OTRF
// exports it flat and the way Winlogbeat ships it.
const EVENT_DATA = {
  RuleName: '',
  UtcTime: '2019-05-22 04:02:11.287',
  ProcessGuid: '{365abb72-c9c3-5ce4-0000-00101f422e00}',
  ProcessId: '2888',
  Image: 'C:\\Windows\\System32\\cmd.exe',
  FileVersion: '6.1.7601.17514 (win7sp1_rtm.101119-1850)',
  Description: 'Windows Command Processor',
  Product: 'Microsoft® Windows® Operating System',
  Company: 'Microsoft Corporation',
  CommandLine: 'cmd.exe',
  CurrentDirectory: 'C:\\Users\\IEUser\\Desktop\\',
  User: 'IEWIN7\\IEUser',
  LogonGuid: '{365abb72-c32e-5ce4-0000-00205df00000}',
  LogonId: '0xf05d',
  TerminalSessionId: '1',
  IntegrityLevel: 'High',
  Hashes:
    'SHA1=EE8CBF12D87C4D388F09B4F69BED2E91682920B5,MD5=AD7B9C14083B52BC532FBA5948342B98,SHA256=17F746D82695FA9B35493B41859D39D786D32B23A9D2E00F4011DEC7A02402AE,IMPHASH=CEEFB55F764020CC5C5F8F23349AB163',
  ParentProcessGuid: '{365abb72-c9c1-5ce4-0000-00100b222e00}',
  ParentProcessId: '3156',
  ParentImage: 'C:\\Program Files\\Internet Explorer\\iexplore.exe',
  ParentCommandLine: '"C:\\Program Files\\Internet Explorer\\iexplore.exe" SCODEF:1600 CREDAT:275470 /prefetch:2',
};

const FLAT = {
  EventID: 1,
  RecordNumber: 839,
  ProviderGuid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}',
  SourceName: 'Microsoft-Windows-Sysmon',
  Channel: 'Microsoft-Windows-Sysmon/Operational',
  Hostname: 'IEWIN7',
  host: 'wec.internal.cloudapp.net',
  TimeCreated: '2019-05-22T04:02:11.307031Z',
  EventTime: '2019-05-22 00:02:11',
  UserID: 'S-1-5-18',
  ExecutionProcessID: 1920,
  ThreadID: 824,
  Version: 5,
  Keywords: -9223372036854775808,
  Severity: 'INFO',
  SeverityValue: 2,
  EventType: 'INFO',
  Category: 'Process Create (rule: ProcessCreate)',
  Domain: 'NT AUTHORITY',
  AccountName: 'SYSTEM',
  AccountType: 'User',
  SourceModuleName: 'eventlog',
  SourceModuleType: 'im_msvistalog',
  tags: ['mordorDataset'],
  '@version': '1',
  Message: 'Process Create:\r\nRuleName: \r\n...',
  ...EVENT_DATA,
};

const WINLOGBEAT = {
  '@timestamp': '2019-05-22T04:02:11.307031Z',
  message: 'Process Create:\r\nRuleName: \r\n...',
  winlog: {
    channel: 'Microsoft-Windows-Sysmon/Operational',
    event_id: 1,
    provider_name: 'Microsoft-Windows-Sysmon',
    provider_guid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}',
    computer_name: 'IEWIN7',
    record_id: 839,
    version: 5,
    process: { pid: 1920, thread: { id: 824 } },
    user: { identifier: 'S-1-5-18' },
    event_data: EVENT_DATA,
  },
};

function norm(doc: unknown): Record<string, unknown> {
  const r = normalizeWindows(doc);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe('detectWindowsShape', () => {
  it('tells the three shapes apart and refuses others', () => {
    const rec = evtxSysmon1();
    expect(detectWindowsShape(rec)).toBe('evtx');
    expect(detectWindowsShape(rec.event)).toBe('evtx');
    expect(detectWindowsShape(WINLOGBEAT)).toBe('winlogbeat');
    expect(detectWindowsShape({ 'winlog.event_id': 4624, 'winlog.channel': 'Security' })).toBe('winlogbeat');
    expect(detectWindowsShape(FLAT)).toBe('flat');
    expect(detectWindowsShape({ message: 'hello' })).toBeUndefined();
    expect(detectWindowsShape(null)).toBeUndefined();
    expect(detectWindowsShape([1, 2])).toBeUndefined();
  });
});

describe('normalizeWindows', () => {
  it('gives the same document for one Sysmon 1 event in all three shapes', () => {
    const fromEvtx = norm(evtxSysmon1());
    const fromDump = norm(evtxSysmon1().event);
    const fromFlat = norm(FLAT);
    const fromBeat = norm(WINLOGBEAT);
    // Only the flat and Winlogbeat inputs carry the rendered message.
    expect(fromFlat.message).toBe(FLAT.Message);
    delete fromFlat.message;
    delete fromBeat.message;
    expect(fromDump).toEqual(fromEvtx);
    expect(fromFlat).toEqual(fromEvtx);
    expect(fromBeat).toEqual(fromEvtx);
  });

  it('maps the Sysmon 1 event to Winlogbeat and ECS fields', () => {
    const d = norm(evtxSysmon1());
    const f = (p: string) => getField(d, p);
    expect(f('@timestamp')).toBe('2019-05-22T04:02:11.307031Z');
    expect(f('winlog.channel')).toBe('Microsoft-Windows-Sysmon/Operational');
    expect(f('winlog.event_id')).toBe(1);
    expect(f('winlog.provider_name')).toBe('Microsoft-Windows-Sysmon');
    expect(f('winlog.computer_name')).toBe('IEWIN7');
    expect(f('winlog.record_id')).toBe(839);
    expect(f('winlog.event_data')).toEqual(EVENT_DATA);
    expect(f('event.code')).toBe('1');
    expect(f('event.provider')).toBe('Microsoft-Windows-Sysmon');
    expect(f('event.module')).toBe('sysmon');
    expect(f('event.category')).toEqual(['process']);
    expect(f('event.type')).toEqual(['start']);
    expect(f('host.name')).toBe('IEWIN7');
    expect(f('process.executable')).toBe('C:\\Windows\\System32\\cmd.exe');
    expect(f('process.name')).toBe('cmd.exe');
    expect(f('process.pid')).toBe(2888);
    expect(f('process.command_line')).toBe('cmd.exe');
    expect(f('process.parent.executable')).toBe('C:\\Program Files\\Internet Explorer\\iexplore.exe');
    expect(f('process.parent.name')).toBe('iexplore.exe');
    expect(f('process.parent.pid')).toBe(3156);
    expect(f('process.hash.sha256')).toBe('17f746d82695fa9b35493b41859d39d786d32b23a9d2e00f4011dec7a02402ae');
    expect(f('user.name')).toBe('IEUser');
    expect(f('user.domain')).toBe('IEWIN7');
    expect(f('related.user')).toEqual(['IEUser']);
    expect(f('related.hosts')).toEqual(['IEWIN7']);
    expect(f('related.hash')).toContain('ee8cbf12d87c4d388f09b4f69bed2e91682920b5');
  });

  it('maps Sysmon 3, 11, 13 and 22 from flat OTRF-style events', () => {
    const base = { Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: 'WS5.theshire.local', '@timestamp': '2020-09-04T20:09:42.845Z', SourceName: 'Microsoft-Windows-Sysmon' };
    const net = norm({ ...base, EventID: 3, Image: 'C:\\x\\a.exe', ProcessId: '3312', Protocol: 'tcp', Initiated: 'true', SourceIp: '10.0.0.5', SourcePort: '63704', DestinationIp: '10.0.0.1', DestinationPort: '389', DestinationHostname: 'dc.theshire.local' });
    expect(getField(net, 'source.ip')).toBe('10.0.0.5');
    expect(getField(net, 'source.port')).toBe(63704);
    expect(getField(net, 'destination.ip')).toBe('10.0.0.1');
    expect(getField(net, 'destination.port')).toBe(389);
    expect(getField(net, 'network.transport')).toBe('tcp');
    expect(getField(net, 'event.category')).toEqual(['network']);
    expect(getField(net, 'related.ip')).toEqual(['10.0.0.5', '10.0.0.1']);
    expect(getField(net, 'winlog.event_data.DestinationPort')).toBe('389');

    const file = norm({ ...base, EventID: 11, Image: 'C:\\windows\\System32\\svchost.exe', TargetFilename: 'C:\\Windows\\Temp\\x.dat' });
    expect(getField(file, 'file.path')).toBe('C:\\Windows\\Temp\\x.dat');
    expect(getField(file, 'file.name')).toBe('x.dat');
    expect(getField(file, 'event.category')).toEqual(['file']);
    expect(getField(file, 'event.type')).toEqual(['creation']);

    // OTRF moved NXLog's EventType to EventTypeOrignal when Sysmon's own EventType collided.
    const reg = norm({ ...base, EventID: 13, EventType: 'SetValue', EventTypeOrignal: 'INFO', TargetObject: 'HKU\\S-1-5-21\\Software\\Run\\evil', Details: 'DWORD (0x00000000)' });
    expect(getField(reg, 'registry.path')).toBe('HKU\\S-1-5-21\\Software\\Run\\evil');
    expect(getField(reg, 'winlog.event_data.EventType')).toBe('SetValue');
    expect(getField(reg, 'event.category')).toEqual(['configuration', 'registry']);

    const dns = norm({ ...base, EventID: 22, EventType: 'INFO', QueryName: 'wdcp.microsoft.com', Image: 'C:\\a.exe' });
    expect(getField(dns, 'dns.question.name')).toBe('wdcp.microsoft.com');
    expect(getField(dns, 'winlog.event_data.EventType')).toBeUndefined();
    expect(getField(dns, 'related.hosts')).toEqual(['WS5.theshire.local', 'wdcp.microsoft.com']);
    expect(getField(dns, 'event.module')).toBe('sysmon');
    expect(getField(dns, 'event.dataset')).toBe('windows.sysmon_operational');
  });

  it('maps Security 4624, 4625, 4672, 4688 and 4720', () => {
    const base = { Channel: 'Security', SourceName: 'Microsoft-Windows-Security-Auditing', Hostname: 'DC1', '@timestamp': '2020-09-04T20:09:42.845Z' };
    const logon = norm({ ...base, EventID: 4624, TargetUserName: 'MORDORDC$', TargetDomainName: 'THESHIRE.LOCAL', IpAddress: '::1', IpPort: '63704', LogonType: '3', ProcessName: '-', ProcessId: '0x0' });
    expect(getField(logon, 'user.name')).toBe('MORDORDC$');
    expect(getField(logon, 'user.domain')).toBe('THESHIRE.LOCAL');
    expect(getField(logon, 'source.ip')).toBe('::1');
    expect(getField(logon, 'source.port')).toBe(63704);
    expect(getField(logon, 'event.outcome')).toBe('success');
    expect(getField(logon, 'event.category')).toEqual(['authentication']);
    expect(getField(logon, 'event.module')).toBe('windows');
    expect(getField(logon, 'process.executable')).toBeUndefined();

    expect(getField(norm({ ...base, EventID: 4625, TargetUserName: 'bob' }), 'event.outcome')).toBe('failure');
    expect(getField(norm({ ...base, EventID: 4672, SubjectUserName: 'admin' }), 'user.name')).toBe('admin');

    const proc = norm({ ...base, EventID: 4688, NewProcessName: 'C:\\Windows\\System32\\wscript.exe', NewProcessId: '0x988', ProcessId: '0x1660', ParentProcessName: 'C:\\Windows\\explorer.exe', CommandLine: 'wscript.exe a.vbs', SubjectUserName: 'pgustavo', SubjectDomainName: 'THESHIRE' });
    expect(getField(proc, 'process.pid')).toBe(0x988);
    expect(getField(proc, 'process.name')).toBe('wscript.exe');
    expect(getField(proc, 'process.command_line')).toBe('wscript.exe a.vbs');
    expect(getField(proc, 'process.parent.pid')).toBe(0x1660);
    expect(getField(proc, 'process.parent.name')).toBe('explorer.exe');
    expect(getField(proc, 'user.name')).toBe('pgustavo');

    const add = norm({ ...base, EventID: 4720, SubjectUserName: 'admin', TargetUserName: 'newguy', TargetDomainName: 'THESHIRE' });
    expect(getField(add, 'user.target.name')).toBe('newguy');
    expect(getField(add, 'event.type')).toEqual(['user', 'creation']);
    expect(getField(add, 'related.user')).toEqual(['admin', 'newguy']);
  });

  it('keeps Winlogbeat fields it does not compute and accepts flat dotted keys', () => {
    const d = norm({ ...WINLOGBEAT, agent: { type: 'winlogbeat' }, ecs: { version: '8.0.0' } });
    expect(getField(d, 'agent.type')).toBe('winlogbeat');
    const flat = norm({ '@timestamp': '2020-01-01T00:00:00Z', 'winlog.channel': 'Security', 'winlog.event_id': '4688', 'winlog.event_data.NewProcessName': 'C:\\a\\b.exe' });
    expect(getField(flat, 'winlog.event_id')).toBe(4688);
    expect(getField(flat, 'process.executable')).toBe('C:\\a\\b.exe');
  });

  it('returns reasons for unusable events', () => {
    expect(normalizeWindows({ foo: 1 })).toMatchObject({ ok: false });
    expect(normalizeWindows({ EventID: 'x', Channel: 'Security', '@timestamp': '2020-01-01T00:00:00Z' })).toMatchObject({ ok: false });
    expect(normalizeWindows({ EventID: 1, Channel: 'Security' })).toMatchObject({ ok: false });
    expect(normalizeWindows({ EventID: 1, Channel: 'Security', EventTime: 'yesterday-ish' })).toMatchObject({ ok: false });
  });

  it('normalizes every event of real OTRF exports and every sample EVTX record', () => {
    const dir = resolve(DATA, 'otrf/atomic/windows/execution/host');
    const zip = readdirSync(dir).find((f) => f.startsWith('empire_launcher_vbs'));
    const text = execFileSync('unzip', ['-p', resolve(dir, zip!)], { maxBuffer: 1 << 28, encoding: 'utf8' });
    let n = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const r = normalizeWindows(JSON.parse(line));
      expect(r.ok ? '' : r.reason).toBe('');
      n++;
    }
    expect(n).toBeGreaterThan(1000);
    const buf = readFileSync(resolve(DATA, 'evtx-attack-samples/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx'));
    for (const rec of readEvtx(buf)) {
      if (!rec.ok) continue;
      const r = normalizeWindows(rec.value);
      expect(r.ok && getField(r.value, 'winlog.event_id')).toBe(rec.value.event.Event.System?.EventID);
    }
  });

  it('never throws on arbitrary JSON', () => {
    const anyShape = fc.oneof(
      fc.anything(),
      fc.record({ EventID: fc.anything(), Channel: fc.anything(), '@timestamp': fc.anything(), Image: fc.anything(), User: fc.anything() }),
      fc.record({ winlog: fc.record({ event_id: fc.anything(), channel: fc.anything(), event_data: fc.anything() }), '@timestamp': fc.anything() }),
      fc.record({ Event: fc.record({ System: fc.anything(), EventData: fc.anything() }) }),
    );
    fc.assert(
      fc.property(anyShape, (doc) => {
        const r = normalizeWindows(doc);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
