import { describe, expect, it } from 'vitest';
import { matcher, rejectionOf, sysmon1 } from './test-helpers.js';

const ev = sysmon1;

describe('plain values', () => {
  it('matches whole values case-insensitively by default', () => {
    const m = matcher({ sel: { Image: 'C:\\Windows\\System32\\cmd.exe' }, condition: 'sel' });
    expect(m(ev({ Image: 'c:\\windows\\system32\\CMD.EXE' }))).toBe(true);
    expect(m(ev({ Image: 'C:\\Windows\\System32\\cmd.exe.bak' }))).toBe(false);
    expect(m(ev({}))).toBe(false);
  });
  it('lists are OR; maps are AND', () => {
    const m = matcher({ sel: { Image: ['a.exe', 'b.exe'], User: 'bob' }, condition: 'sel' });
    expect(m(ev({ Image: 'b.exe', User: 'BOB' }))).toBe(true);
    expect(m(ev({ Image: 'b.exe', User: 'alice' }))).toBe(false);
    expect(m(ev({ Image: 'c.exe', User: 'bob' }))).toBe(false);
  });
  it('long value lists mix exact values and wildcard patterns', () => {
    const m = matcher({ sel: { OriginalFileName: ['PsExec.exe', 'ProcDump', 'Net.exe', 'mimi*.exe'] }, condition: 'sel' });
    expect(m(ev({ OriginalFileName: 'procdump' }))).toBe(true);
    expect(m(ev({ OriginalFileName: 'NET.EXE' }))).toBe(true);
    expect(m(ev({ OriginalFileName: 'Mimikatz.exe' }))).toBe(true);
    expect(m(ev({ OriginalFileName: 'net.exe.bak' }))).toBe(false);
    expect(m(ev({ OriginalFileName: 'procdump64' }))).toBe(false);
  });
  it('a list of maps is OR of ANDs', () => {
    const m = matcher({ sel: [{ Image: 'a.exe', User: 'x' }, { Image: 'b.exe' }], condition: 'sel' });
    expect(m(ev({ Image: 'a.exe', User: 'x' }))).toBe(true);
    expect(m(ev({ Image: 'a.exe', User: 'y' }))).toBe(false);
    expect(m(ev({ Image: 'b.exe', User: 'y' }))).toBe(true);
  });
  it('numbers match numeric and string field values', () => {
    const m = matcher({ sel: { LogonType: 3 }, condition: 'sel' });
    expect(m(ev({ LogonType: 3 }))).toBe(true);
    expect(m(ev({ LogonType: '3' }))).toBe(true);
    expect(m(ev({ LogonType: 33 }))).toBe(false);
    const s = matcher({ sel: { LogonType: '3' }, condition: 'sel' });
    expect(s(ev({ LogonType: 3 }))).toBe(true);
  });
  it('null means absent or null; empty string means empty', () => {
    const n = matcher({ sel: { Image: 'a.exe', ParentImage: null }, condition: 'sel' });
    expect(n(ev({ Image: 'a.exe' }))).toBe(true);
    expect(n(ev({ Image: 'a.exe', ParentImage: null }))).toBe(true);
    expect(n(ev({ Image: 'a.exe', ParentImage: 'x' }))).toBe(false);
    const e = matcher({ sel: { Image: 'a.exe', ParentImage: '' }, condition: 'sel' });
    expect(e(ev({ Image: 'a.exe', ParentImage: '' }))).toBe(true);
    expect(e(ev({ Image: 'a.exe' }))).toBe(false);
    expect(e(ev({ Image: 'a.exe', ParentImage: 'x' }))).toBe(false);
  });
  it('wildcards and escapes', () => {
    const m = matcher({ sel: { CommandLine: '*-enc *' }, condition: 'sel' });
    expect(m(ev({ CommandLine: 'powershell -ENC abc' }))).toBe(true);
    // `\\?` is an escaped backslash followed by the ? wildcard; `\?` is a literal '?'
    const q = matcher({ sel: { Image: '*\\\\?md.exe' }, condition: 'sel' });
    expect(q(ev({ Image: 'C:\\x\\cmd.exe' }))).toBe(true);
    const lq = matcher({ sel: { Image: '*\\?md.exe' }, condition: 'sel' });
    expect(lq(ev({ Image: 'C:\\x\\cmd.exe' }))).toBe(false);
    expect(lq(ev({ Image: 'C:\\x?md.exe' }))).toBe(true);
    const lit = matcher({ sel: { CommandLine: 'echo \\*' }, condition: 'sel' });
    expect(lit(ev({ CommandLine: 'echo *' }))).toBe(true);
    expect(lit(ev({ CommandLine: 'echo x' }))).toBe(false);
  });
  it('array field values match when any element matches', () => {
    const m = matcher({ sel: { 'process.args|contains': 'mimikatz' }, condition: 'sel' }, { product: 'linux', category: 'process_creation' });
    expect(m({ event: { category: ['process'], type: ['start'] }, host: { os: { type: 'linux' } }, process: { args: ['a', 'x-Mimikatz'] } })).toBe(true);
  });
});

describe('string modifiers', () => {
  it('contains / startswith / endswith', () => {
    const c = matcher({ sel: { 'CommandLine|contains': 'WhoAmI' }, condition: 'sel' });
    expect(c(ev({ CommandLine: 'cmd /c whoami /all' }))).toBe(true);
    expect(c(ev({ CommandLine: 'cmd /c who' }))).toBe(false);
    const s = matcher({ sel: { 'Image|startswith': 'C:\\Users\\' }, condition: 'sel' });
    expect(s(ev({ Image: 'c:\\users\\bob\\a.exe' }))).toBe(true);
    expect(s(ev({ Image: 'd:\\c:\\users\\' }))).toBe(false);
    const e = matcher({ sel: { 'Image|endswith': '\\rundll32.exe' }, condition: 'sel' });
    expect(e(ev({ Image: 'C:\\Windows\\System32\\RUNDLL32.exe' }))).toBe(true);
    expect(e(ev({ Image: 'C:\\rundll32.exe.tmp' }))).toBe(false);
  });
  it('all turns a list into AND', () => {
    const m = matcher({ sel: { 'CommandLine|contains|all': ['comsvcs', 'minidump'] }, condition: 'sel' });
    expect(m(ev({ CommandLine: 'rundll32 comsvcs.dll MiniDump 1 x full' }))).toBe(true);
    expect(m(ev({ CommandLine: 'rundll32 comsvcs.dll' }))).toBe(false);
  });
  it('cased makes matching case-sensitive', () => {
    const m = matcher({ sel: { 'CommandLine|contains|cased': 'FromBase64' }, condition: 'sel' });
    expect(m(ev({ CommandLine: 'x FromBase64String' }))).toBe(true);
    expect(m(ev({ CommandLine: 'x frombase64string' }))).toBe(false);
  });
  it('windash matches every dash spelling of a flag', () => {
    const m = matcher({ sel: { 'CommandLine|windash|contains': ' -exec bypass' }, condition: 'sel' });
    expect(m(ev({ CommandLine: 'powershell -exec bypass' }))).toBe(true);
    expect(m(ev({ CommandLine: 'powershell /exec bypass' }))).toBe(true);
    expect(m(ev({ CommandLine: 'powershell \u2013exec bypass' }))).toBe(true);
    expect(m(ev({ CommandLine: 'powershell exec bypass' }))).toBe(false);
  });
  it('neq matches when the value differs', () => {
    const m = matcher({ sel: { Image: 'a.exe', 'User|neq': 'SYSTEM' }, condition: 'sel' });
    expect(m(ev({ Image: 'a.exe', User: 'bob' }))).toBe(true);
    expect(m(ev({ Image: 'a.exe', User: 'system' }))).toBe(false);
  });
  it('exists tests presence', () => {
    const t = matcher({ sel: { Image: 'a.exe', 'Hashes|exists': true }, condition: 'sel' });
    expect(t(ev({ Image: 'a.exe', Hashes: 'MD5=1' }))).toBe(true);
    expect(t(ev({ Image: 'a.exe' }))).toBe(false);
    const f = matcher({ sel: { Image: 'a.exe', 'Hashes|exists': false }, condition: 'sel' });
    expect(f(ev({ Image: 'a.exe' }))).toBe(true);
    expect(f(ev({ Image: 'a.exe', Hashes: 'x' }))).toBe(false);
  });
  it('base64 and base64offset|contains', () => {
    const b = matcher({ sel: { 'CommandLine|base64': 'whoami' }, condition: 'sel' });
    expect(b(ev({ CommandLine: Buffer.from('whoami').toString('base64') }))).toBe(true);
    const o = matcher({ sel: { 'CommandLine|base64offset|contains': 'IEX (' }, condition: 'sel' });
    for (const prefix of ['', 'a', 'ab']) {
      expect(o(ev({ CommandLine: 'powershell -e ' + Buffer.from(prefix + 'IEX (New-Object Net.WebClient)').toString('base64') }))).toBe(true);
    }
    expect(o(ev({ CommandLine: 'powershell -e ' + Buffer.from('nothing here').toString('base64') }))).toBe(false);
  });
  it('wide|base64offset|contains finds UTF-16 encoded commands', () => {
    const m = matcher({ sel: { 'CommandLine|wide|base64offset|contains': 'ping' }, condition: 'sel' });
    expect(m(ev({ CommandLine: 'powershell -enc ' + Buffer.from('cmd /c ping 1.1.1.1', 'utf16le').toString('base64') }))).toBe(true);
    expect(m(ev({ CommandLine: 'powershell -enc ' + Buffer.from('cmd /c ping 1.1.1.1', 'utf8').toString('base64') }))).toBe(false);
  });
  it('utf16le / utf16be / utf16 produce byte strings', () => {
    const le = matcher({ sel: { 'Data|utf16le|contains': 'ab' }, condition: 'sel' });
    expect(le(ev({ Data: 'x' + Buffer.from('ab', 'utf16le').toString('latin1') }))).toBe(true);
    const be = matcher({ sel: { 'Data|utf16be|base64': 'a' }, condition: 'sel' });
    expect(be(ev({ Data: Buffer.from([0, 0x61]).toString('base64') }))).toBe(true);
    const bom = matcher({ sel: { 'Data|utf16|base64': 'a' }, condition: 'sel' });
    expect(bom(ev({ Data: Buffer.from([0xff, 0xfe, 0x61, 0]).toString('base64') }))).toBe(true);
  });
  it('expand substitutes configured placeholders', () => {
    const m = matcher({ sel: { 'Computer|expand': '%dcs%' }, condition: 'sel' }, undefined, { expand: { dcs: ['DC01', 'DC02'] } });
    expect(m(ev({ Computer: 'dc02' }))).toBe(true);
    expect(m(ev({ Computer: 'ws01' }))).toBe(false);
    expect(rejectionOf({ sel: { 'Computer|expand': '%dcs%' }, condition: 'sel' })).toContain('%dcs%');
  });
  it('fieldref compares two fields of the event', () => {
    const m = matcher({ sel: { 'ParentImage|fieldref': 'Image' }, condition: 'sel' });
    expect(m(ev({ Image: 'C:\\a.exe', ParentImage: 'c:\\A.exe' }))).toBe(true);
    expect(m(ev({ Image: 'C:\\a.exe', ParentImage: 'c:\\b.exe' }))).toBe(false);
    expect(m(ev({ ParentImage: 'c:\\b.exe' }))).toBe(false);
  });
});

describe('regular expressions', () => {
  it('re is case-sensitive; i, m, s sub-modifiers', () => {
    const m = matcher({ sel: { 'CommandLine|re': '^cmd.*/c' }, condition: 'sel' });
    expect(m(ev({ CommandLine: 'cmd.exe /c dir' }))).toBe(true);
    expect(m(ev({ CommandLine: 'CMD.exe /c dir' }))).toBe(false);
    const i = matcher({ sel: { 'CommandLine|re|i': '^cmd.*/c' }, condition: 'sel' });
    expect(i(ev({ CommandLine: 'CMD.exe /c dir' }))).toBe(true);
    const ml = matcher({ sel: { 'ScriptBlockText|re|m': '^iex$' }, condition: 'sel' });
    expect(ml(ev({ ScriptBlockText: 'a\niex\nb' }))).toBe(true);
    const s = matcher({ sel: { 'ScriptBlockText|re|s': 'a.b' }, condition: 'sel' });
    expect(s(ev({ ScriptBlockText: 'a\nb' }))).toBe(true);
    const nos = matcher({ sel: { 'ScriptBlockText|re': 'a.b' }, condition: 'sel' });
    expect(nos(ev({ ScriptBlockText: 'a\nb' }))).toBe(false);
  });
  it('refuses patterns RE2 cannot run, with the reason', () => {
    expect(rejectionOf({ sel: { 'CommandLine|re': '(?<=a)b' }, condition: 'sel' })).toContain('RE2');
    expect(rejectionOf({ sel: { 'CommandLine|i': 'x' }, condition: 'sel' })).toContain("only valid after 're'");
  });
});

describe('numeric, time and network modifiers', () => {
  it('lt / lte / gt / gte', () => {
    const gt = matcher({ sel: { 'Size|gt': 100 }, condition: 'sel' });
    expect(gt(ev({ Size: 101 }))).toBe(true);
    expect(gt(ev({ Size: '101' }))).toBe(true);
    expect(gt(ev({ Size: 100 }))).toBe(false);
    expect(gt(ev({ Size: 'big' }))).toBe(false);
    const lte = matcher({ sel: { 'Size|lte': 100 }, condition: 'sel' });
    expect(lte(ev({ Size: 100 }))).toBe(true);
    expect(lte(ev({ Size: 101 }))).toBe(false);
    const lt = matcher({ sel: { 'Size|lt': 100 }, condition: 'sel' });
    expect(lt(ev({ Size: 99 }))).toBe(true);
    expect(lt(ev({ Size: 100 }))).toBe(false);
    const gte = matcher({ sel: { 'Size|gte': 100 }, condition: 'sel' });
    expect(gte(ev({ Size: 100 }))).toBe(true);
    expect(gte(ev({ Size: 99 }))).toBe(false);
  });
  it('time parts read the timestamp (UTC)', () => {
    const at = '2024-03-10T22:15:00Z'; // Sunday, ISO week 10
    const cases: [string, number, number][] = [
      ['minute', 15, 16],
      ['hour', 22, 21],
      ['day', 10, 11],
      ['week', 10, 11],
      ['month', 3, 4],
      ['year', 2024, 2023],
    ];
    for (const [part, yes, no] of cases) {
      expect(matcher({ sel: { [`@timestamp|${part}`]: yes }, condition: 'sel' })(ev({ '@timestamp': at }))).toBe(true);
      expect(matcher({ sel: { [`@timestamp|${part}`]: no }, condition: 'sel' })(ev({ '@timestamp': at }))).toBe(false);
    }
    const night = matcher({ sel: { 'UtcTime|hour|gte': 22 }, condition: 'sel' });
    expect(night(ev({ UtcTime: '2020-06-10 23:50:54.631' }))).toBe(true);
    expect(night(ev({ UtcTime: '2020-06-10 02:50:54.631' }))).toBe(false);
  });
  it('cidr on IPv4 and IPv6', () => {
    const m = matcher({ sel: { 'DestinationIp|cidr': ['10.0.0.0/8', 'fe80::/10'] }, condition: 'sel' }, { product: 'windows', category: 'network_connection' });
    const net = (ip: string): Record<string, unknown> => ({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 3, DestinationIp: ip });
    expect(m(net('10.20.30.40'))).toBe(true);
    expect(m(net('fe80::1234'))).toBe(true);
    expect(m(net('11.0.0.1'))).toBe(false);
    expect(m(net('not-an-ip'))).toBe(false);
  });
});

describe('keywords', () => {
  it('search every string of the event, message included', () => {
    const m = matcher({ keywords: ['sekurlsa::logonpasswords', 'lsadump::'], condition: 'keywords' }, { product: 'windows', service: 'security' });
    const sec = (x: Record<string, unknown>): Record<string, unknown> => ({ Channel: 'Security', EventID: 4688, ...x });
    expect(m(sec({ Message: 'A process ran: mimikatz SEKURLSA::LogonPasswords exit' }))).toBe(true);
    expect(m(sec({ CommandLine: 'm.exe lsadump::sam' }))).toBe(true);
    expect(m(sec({ CommandLine: 'nothing' }))).toBe(false);
  });
  it("'|all' keywords must all occur", () => {
    const m = matcher({ keywords: { '|all': ['alpha', 'beta'] }, condition: 'keywords' }, { product: 'linux' });
    expect(m({ log: { syslog: { appname: 'x' } }, message: 'alpha and beta' })).toBe(true);
    expect(m({ log: { syslog: { appname: 'x' } }, message: 'alpha only' })).toBe(false);
  });
});

describe('conditions', () => {
  const base = {
    selection_a: { Image: 'a.exe' },
    selection_b: { User: 'bob' },
    filter: { CommandLine: 'ok' },
    _helper: { Company: 'x' },
  };
  it('and / or / not with precedence', () => {
    const m = matcher({ ...base, condition: 'selection_a or selection_b and not filter' });
    expect(m(ev({ Image: 'a.exe', CommandLine: 'ok' }))).toBe(true); // a or (b and not f)
    expect(m(ev({ User: 'bob', CommandLine: 'ok' }))).toBe(false);
    expect(m(ev({ User: 'bob' }))).toBe(true);
    const p = matcher({ ...base, condition: '(selection_a or selection_b) and not filter' });
    expect(p(ev({ Image: 'a.exe', CommandLine: 'ok' }))).toBe(false);
  });
  it('1 of / all of with patterns and them (excluding _ names)', () => {
    const one = matcher({ ...base, condition: '1 of selection_*' });
    expect(one(ev({ User: 'bob' }))).toBe(true);
    expect(one(ev({ Company: 'x' }))).toBe(false);
    const all = matcher({ ...base, condition: 'all of selection_*' });
    expect(all(ev({ User: 'bob' }))).toBe(false);
    expect(all(ev({ User: 'bob', Image: 'a.exe' }))).toBe(true);
    const them = matcher({ ...base, condition: 'all of them' });
    expect(them(ev({ User: 'bob', Image: 'a.exe', CommandLine: 'ok' }))).toBe(true); // _helper not required
    const anyThem = matcher({ ...base, condition: 'any of them' });
    expect(anyThem(ev({ Company: 'x' }))).toBe(false); // _helper is not part of them
    const notOne = matcher({ ...base, condition: 'selection_a and not 1 of filter*' });
    expect(notOne(ev({ Image: 'a.exe', CommandLine: 'ok' }))).toBe(false);
    expect(notOne(ev({ Image: 'a.exe' }))).toBe(true);
  });
  it('rejects undefined identifiers and patterns matching nothing', () => {
    expect(rejectionOf({ sel: { Image: 'x' }, condition: 'sel and other' })).toContain("'other'");
    expect(rejectionOf({ sel: { Image: 'x' }, condition: '1 of nothing*' })).toContain('matches no selection');
    expect(rejectionOf({ sel: { 'Image|bogus': 'x' }, condition: 'sel' })).toContain("unknown modifier 'bogus'");
    expect(rejectionOf({ sel: { 'Image|base64': 'a*' }, condition: 'sel' })).toContain('wildcards');
  });
});
